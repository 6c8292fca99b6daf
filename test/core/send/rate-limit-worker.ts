/**
 * A rate-limit worker PROCESS for pg-rate-limit.test.ts: opens its own queue (own pg pool) on the
 * given database, waits for `go`, then takes tokens from the shared PostgreSQL bucket as fast as it
 * may (take → sleep(wait) → "send") until the deadline, and reports the send times to the parent.
 *
 *   fork('test/core/send/rate-limit-worker.ts', [JSON.stringify({ connectionString, key, rule, durationMs })], { execArgv: ['--import', 'tsx'] })
 */
import { openQueue } from '../../../core/queue';
import type { RateLimitRule } from '../../../core/providers/types';
import { rateLimitStoreFor } from '../../../core/send/pg-rate-limit';

interface Config {
	connectionString: string;
	key: string;
	rule: RateLimitRule;
	durationMs: number;
}

async function main(): Promise<void> {
	const config = JSON.parse(process.argv[2]!) as Config;
	const queue = await openQueue({ connection: { kind: 'postgres', connectionString: config.connectionString, maxConnections: 2 } });
	const store = rateLimitStoreFor(queue);
	process.send!({ type: 'ready' });
	const start = await new Promise<number>((resolve) => process.on('message', (m: { type: string; at: number }) => m.type === 'go' && resolve(m.at)));
	if (start > Date.now()) await new Promise((r) => setTimeout(r, start - Date.now()));
	const sends: number[] = [];
	while (Date.now() < start + config.durationMs) {
		const wait = await store.take(config.key, config.rule, new Date());
		if (wait > 0) await new Promise((r) => setTimeout(r, wait));
		const at = Date.now();
		if (at >= start + config.durationMs) break;
		sends.push(at);
	}
	await queue.close();
	process.send!({ type: 'done', sends }, () => process.exit(0));
}

main().catch((error) => {
	process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) }, () => process.exit(1));
});
