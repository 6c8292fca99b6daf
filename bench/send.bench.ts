/**
 * Issue 4 targets: Channel Send against fake providers over real HTTP (undici, 127.0.0.1).
 *
 * 1. Rate limit: 10,000 messages to a fake provider that accepts R = 500 messages/s (its own token
 *    bucket, R/s with a burst of R/10 — 100 ms of traffic — as providers document "R per second")
 *    and answers 429 with Retry-After above that, with 20–50 ms latency per request. The engine knows
 *    the limit as a rule { perSecond: R, burst: 1 } and uses its real in-process token bucket, with
 *    concurrency 50 (R × latency ≈ 25 requests in flight are needed). Targets: achieved rate ≥ 0.95 R,
 *    429s received = 0.
 *    The achieved rate is what the provider saw: accepted requests over the time from the first to
 *    the last arrival (the wall time, which includes validating and rendering all 10,000 up front, is
 *    shown beside it). The fake runs in this process, so a loaded machine lowers what can be reached.
 * 2. Throughput: an unlimited fake (no limit, no added latency), 3,000 messages at concurrency 1, 10
 *    and 50: messages/s of the whole engine (validate, render, rate-limit check, HTTP, result).
 *
 * The provider is a test-style ProviderDefinition (test/core/send/support.ts) rendering for the Twilio
 * platform. Never fails on a missed target: prints MET / NOT MET.
 */
import { undiciHttpClient } from '../core/providers/shared/http';
import { InMemoryRateLimitStore, sendMany, type SendOptions } from '../core/send';
import { FakeServer, type FakeReply } from '../test/support/fakes/server';
import { smsMessage, testProvider } from '../test/core/send/support';
import { formatRate, table } from './measure';

const R = 500;
const LIMITED_MESSAGES = 10_000;
const UNLIMITED_MESSAGES = 3_000;
const RATE_TARGET = 0.95;
const TOKEN = 'bench-token';

/** A fake provider API with its own token bucket (rate per second, burst) and latency. */
function limitedFake(rate: number | null, burst: number, latency: () => number): { server: FakeServer; stats: { ok: number; limited: number; first: number; last: number } } {
	const stats = { ok: 0, limited: 0, first: 0, last: 0 };
	let tokens = burst;
	let last = performance.now();
	const server = new FakeServer([
		{
			method: 'POST',
			path: /^\/v1\/send$/,
			handler: (): FakeReply => {
				if (rate !== null) {
					const now = performance.now();
					tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
					last = now;
					if (tokens < 1) {
						stats.limited++;
						return { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limited', message: 'too many requests' } }, delayMs: latency() };
					}
					tokens -= 1;
				}
				stats.ok++;
				const arrived = performance.now();
				if (stats.ok === 1) stats.first = arrived;
				stats.last = arrived;
				return { status: 200, body: { id: `m${stats.ok}` }, delayMs: latency() };
			},
		},
	]);
	return { server, stats };
}

function options(url: string, concurrency: number, rate: number | null): SendOptions {
	const provider = testProvider('bench', { rateLimits: rate === null ? [] : [{ scope: 'sender', perSecond: rate, burst: 1, description: 'bench' }] });
	return {
		providers: [provider],
		http: undiciHttpClient,
		rateLimits: { concurrency, store: new InMemoryRateLimitStore() },
		routes: [{ channel: 'sms', providers: [{ provider: 'bench', config: { token: TOKEN, from: '+15550009999', baseUrl: url } }] }],
	};
}

const messages = (n: number) => Array.from({ length: n }, (_, i) => smsMessage({ recipients: [{ id: `+1555${String(i).padStart(7, '0')}` }] }));

export async function report(): Promise<string> {
	const rows: Array<Record<string, string | number>> = [];
	const verdicts: string[] = [];

	// 1. Rate-limited provider.
	const limited = limitedFake(R, R / 10, () => 20 + Math.random() * 30);
	await limited.server.start();
	try {
		const batch = messages(LIMITED_MESSAGES);
		const started = performance.now();
		const results = await sendMany(batch, options(limited.server.url, 50, R));
		const seconds = (performance.now() - started) / 1000;
		const sent = results.filter((r) => r.status !== 'failed').length;
		// The rate the provider saw: accepted requests over the time from the first to the last arrival
		// (validating and rendering the batch up front is not sending time; the wall time is shown too).
		const rate = (limited.stats.ok - 1) / ((limited.stats.last - limited.stats.first) / 1000);
		rows.push({
			fake: `limited ${R}/s, 20–50 ms`,
			concurrency: 50,
			messages: sent,
			seconds: seconds.toFixed(2),
			'messages/s': `${formatRate(rate)} (wall ${formatRate(sent / seconds)})`,
			'fraction of R': (rate / R).toFixed(3),
			'429s': limited.stats.limited,
		});
		verdicts.push(`rate-limited provider: ${(rate / R).toFixed(3)} of R = ${R}/s (target ≥ ${RATE_TARGET}) ${rate / R >= RATE_TARGET ? 'MET' : 'NOT MET'}`);
		verdicts.push(`429s received: ${limited.stats.limited} (target 0) ${limited.stats.limited === 0 ? 'MET' : 'NOT MET'}`);
	} catch (error) {
		verdicts.push(`rate-limited provider: ERROR ${(error as Error).message.split('\n')[0]} NOT MET`);
	} finally {
		await limited.server.stop();
	}

	// 2. Unlimited provider at several concurrencies.
	const unlimited = limitedFake(null, 1, () => 0);
	await unlimited.server.start();
	try {
		await sendMany(messages(200), options(unlimited.server.url, 10, null)); // warm-up (connections, JIT)
		for (const concurrency of [1, 10, 50]) {
			const started = performance.now();
			const results = await sendMany(messages(UNLIMITED_MESSAGES), options(unlimited.server.url, concurrency, null));
			const seconds = (performance.now() - started) / 1000;
			const sent = results.filter((r) => r.status !== 'failed').length;
			rows.push({ fake: 'unlimited, no latency', concurrency, messages: sent, seconds: seconds.toFixed(2), 'messages/s': formatRate(sent / seconds), 'fraction of R': '-', '429s': 0 });
		}
	} catch (error) {
		verdicts.push(`unlimited provider: ERROR ${(error as Error).message.split('\n')[0]}`);
	} finally {
		await unlimited.server.stop();
	}
	return [table(rows), '', ...verdicts].join('\n');
}

if (require.main === module) {
	report().then(
		(text) => console.log(text),
		(error) => {
			console.error(error);
			process.exit(1);
		},
	);
}
