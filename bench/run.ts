/**
 * `npm run bench`: every benchmark of the package, each printing rates measured in this one run and
 * the ratio its issue names as a target. Targets are checked here, never in timed tests.
 */
import * as normalizeBench from './normalize.bench';
import * as queueBench from './queue.bench';
import * as sendBench from './send.bench';

const sections: Array<{ title: string; report: () => string | Promise<string> }> = [
	{ title: 'Normalize throughput vs parse-only (issue: universal format)', report: normalizeBench.report },
	{ title: 'Schedule Queue claim + complete throughput vs pg-boss (issue 3)', report: queueBench.report },
	{ title: 'Channel Send rate limit and throughput (issue 4)', report: sendBench.report },
	{ title: 'Delivery Webhook: 1,000 signed posts/s for 10 s into a real Node-RED / n8n (issue 5)', report: () => import('./webhook.bench').then((m) => m.report()) },
	{ title: 'Processor template: 10,000 due messages in real Node-RED and n8n (issue 6: flow templates)', report: () => import('./templates.bench').then((m) => m.report()) },
];

async function main(): Promise<void> {
	const only = process.argv.slice(2);
	console.log(`Switchboard benchmarks — Node ${process.version}, ${new Date().toISOString()}\n`);
	for (const section of sections) {
		if (only.length && !only.some((o) => section.title.toLowerCase().includes(o.toLowerCase()))) continue;
		console.log(`## ${section.title}\n`);
		console.log(await section.report());
		console.log('');
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
