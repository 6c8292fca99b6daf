/**
 * Issue 2 target: normalize throughput for WhatsApp, Telegram, Twilio and Slack payloads, as
 * messages/s and as a ratio to the parse-only rate of the same bytes in the same run (target ≥ 0.5).
 *
 * Bodies are the fixture payloads made compact (real deliveries are compact), passed as Buffers the
 * way a webhook receives them. The parse-only baseline is JSON.parse(bytes.toString()) for JSON, and
 * the platform's standard form parser, URLSearchParams into a record, for Twilio's form-encoded bodies
 * (JSON.parse cannot read those bytes).
 * "normalize (auto)" detects the platform itself, as the node's default does; "normalize (named)" is
 * given the platform.
 */
import { normalize } from '../core/normalize';
import { fixtureBytes } from '../test/support/fixtures';
import { compare, formatRate, table } from './measure';

interface Case {
	platform: string;
	label: string;
	bytes: Buffer;
	contentType: string;
	parseOnly: () => unknown;
}

function jsonCase(platform: string, label: string, fixture: string | unknown): Case {
	const value = typeof fixture === 'string' ? JSON.parse(fixtureBytes(fixture).toString('utf8')) : fixture;
	const bytes = Buffer.from(JSON.stringify(value));
	return { platform, label, bytes, contentType: 'application/json', parseOnly: () => JSON.parse(bytes.toString('utf8')) };
}

/** A WhatsApp delivery batching `n` text messages, as Meta does under load. */
function whatsappBatch(n: number): unknown {
	const single = JSON.parse(fixtureBytes('whatsapp-message-text.json').toString('utf8'));
	const value = single.entry[0].changes[0].value;
	const message = value.messages[0];
	value.messages = Array.from({ length: n }, (_, i) => ({ ...message, id: `${message.id}${i}` }));
	return single;
}

export function cases(): Case[] {
	const twilioBytes = Buffer.from(fixtureBytes('twilio-inbound-whatsapp-text.txt'));
	return [
		jsonCase('whatsapp', 'WhatsApp text (1 message)', 'whatsapp-message-text.json'),
		jsonCase('whatsapp', 'WhatsApp batch (20 messages)', whatsappBatch(20)),
		jsonCase('telegram', 'Telegram text update', 'telegram-update-message-text.json'),
		jsonCase('telegram', 'Telegram photo update', 'telegram-update-message-photo.json'),
		{
			platform: 'twilio',
			label: 'Twilio WhatsApp inbound (form)',
			bytes: twilioBytes,
			contentType: 'application/x-www-form-urlencoded',
			parseOnly: () => Object.fromEntries(new URLSearchParams(twilioBytes.toString('utf8'))),
		},
		jsonCase('slack', 'Slack channel message event', 'slack-event-message-channel.json'),
	];
}

export function run(): { rows: Array<Record<string, string | number>>; worstRatio: number } {
	const rows: Array<Record<string, string | number>> = [];
	let worstRatio = Infinity;
	for (const c of cases()) {
		const headers = { 'content-type': c.contentType };
		const perDelivery = normalize({ body: c.bytes, headers }).messages.length + normalize({ body: c.bytes, headers }).events.length;
		const rates = compare({
			parse: c.parseOnly,
			auto: () => normalize({ body: c.bytes, headers }),
			named: () => normalize({ body: c.bytes, headers }, { platform: c.platform }),
		});
		const ratio = rates.auto! / rates.parse!;
		worstRatio = Math.min(worstRatio, ratio);
		rows.push({
			payload: c.label,
			bytes: c.bytes.length,
			'parse-only': formatRate(rates.parse!),
			'normalize (auto)': formatRate(rates.auto!),
			'msgs/s (auto)': formatRate(rates.auto! * perDelivery),
			'ratio auto/parse': ratio.toFixed(2),
			'ratio named/parse': (rates.named! / rates.parse!).toFixed(2),
		});
	}
	return { rows, worstRatio };
}

if (require.main === module) {
	const { rows, worstRatio } = run();
	console.log(table(rows));
	console.log(`worst ratio ${worstRatio.toFixed(2)} (target ≥ 0.50)`);
}

export function report(): string {
	const { rows, worstRatio } = run();
	return `${table(rows)}\nworst normalize/parse ratio: ${worstRatio.toFixed(2)} (target ≥ 0.50) ${worstRatio >= 0.5 ? 'MET' : 'NOT MET'}`;
}
