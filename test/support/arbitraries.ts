/**
 * fast-check arbitraries for universal messages, shared by every platform's round-trip property and
 * by the fuzz tests. Strings avoid leading/trailing whitespace because several platforms trim text.
 */
import fc from 'fast-check';
import { MESSAGE_SCHEMA_ID, type Message, type Part, type PartType } from '../../core/schema/message';

const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ,.!?'-]{0,38}[A-Za-z0-9.!?]$/);
export const arbText = fc.oneof(word, fc.constantFrom('Hello', 'Your order 48213 has shipped', 'Ça va? 👍', 'Línea 1'));
export const arbId = fc.stringMatching(/^[a-z][a-z0-9_]{2,18}$/);
export const arbUrl = arbId.map((s) => `https://cdn.example.test/${s}.jpg`);
export const arbPhone = fc.integer({ min: 1_000_000_000, max: 9_999_999_999 }).map((n) => `+44${n}`);

export const partArbitraries: { [K in PartType]?: fc.Arbitrary<Extract<Part, { type: K }>> } = {
	text: arbText.map((text) => ({ type: 'text' as const, text, format: 'plain' as const })),
	media: fc.record({
		type: fc.constant('media' as const),
		kind: fc.constantFrom('image' as const, 'video' as const, 'audio' as const, 'document' as const),
		url: arbUrl,
		caption: fc.option(arbText, { nil: undefined }),
	}).map((p) => (p.caption === undefined || p.kind === 'audio' ? { type: p.type, kind: p.kind, url: p.url } : p)),
	location: fc.record({
		type: fc.constant('location' as const),
		latitude: fc.double({ min: -89, max: 89, noNaN: true }).map((n) => Math.round(n * 1e5) / 1e5),
		longitude: fc.double({ min: -179, max: 179, noNaN: true }).map((n) => Math.round(n * 1e5) / 1e5),
	}),
	contacts: fc.record({
		type: fc.constant('contacts' as const),
		contacts: fc.array(
			fc.record({
				name: arbText.map((formatted) => ({ formatted })),
				phones: fc.array(arbPhone.map((phone) => ({ phone })), { minLength: 1, maxLength: 2 }),
				emails: fc.constant([]),
				urls: fc.constant([]),
			}),
			{ minLength: 1, maxLength: 2 },
		),
	}),
	buttons: fc.record({
		type: fc.constant('buttons' as const),
		text: arbText,
		buttons: fc.uniqueArray(fc.record({ id: arbId, title: word.map((t) => t.slice(0, 20).trim() || 'OK'), action: fc.constant('reply' as const) }), {
			minLength: 1,
			maxLength: 3,
			selector: (b) => b.id,
		}),
	}),
	reaction: fc.record({
		type: fc.constant('reaction' as const),
		emoji: fc.constantFrom('👍', '❤️', '😂'),
		targetMessageId: arbId.map((s) => `wamid.${s}`),
	}),
};

/** A valid outbound universal message whose parts come from `kinds` (1–3 parts). */
export function arbMessage(channel: Message['channel'], provider: string, kinds: readonly PartType[]): fc.Arbitrary<Message> {
	const parts = kinds.flatMap((k) => {
		const arbitrary = partArbitraries[k] as fc.Arbitrary<Part> | undefined;
		return arbitrary ? [arbitrary] : [];
	});
	if (parts.length === 0) throw new Error(`no arbitraries for ${kinds.join(', ')}`);
	return fc.record({
		id: arbId,
		recipient: arbPhone,
		parts: fc.array(fc.oneof(...parts), { minLength: 1, maxLength: 3 }),
	}).map(
		({ id, recipient, parts: ps }): Message => ({
			schema: MESSAGE_SCHEMA_ID,
			id,
			channel,
			provider,
			direction: 'outbound',
			conversation: { id: recipient, type: 'direct' },
			recipients: [{ id: recipient }],
			timestamp: '2026-05-28T14:31:02.000Z',
			parts: ps,
			metadata: {},
		}),
	);
}
