import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedBodyError, RenderError } from '../../../core/errors';
import { normalize } from '../../../core/normalize';
import { detectBrevo } from '../../../core/platforms/brevo';
import { mapBrevoStatus } from '../../../core/platforms/brevo/map-brevo-status';
import { render } from '../../../core/render';
import { parseRequest, type InboundRequest } from '../../../core/request';
import { deliveryEventSchema, type DeliveryEvent } from '../../../core/schema/message';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureRequest } from '../../support/fixtures';
import { JSON_HEADERS, assertDetectsExactly, assertTruncationsTyped, assertWrongTypesTyped, jsonRequest as json, mismatchOf, onlyEvent as onlyEventOf, outboundMessages, type Json as Item } from '../../support/platform-test-kit';

const NOW = '2026-05-28T16:00:00.000Z';
const now = () => new Date(NOW);
const BREVO_FIXTURES = fixtureNames().filter((n) => n.startsWith('brevo-'));
const MESSAGE_ID = '<202605281510.81726354910@smtp-relay.mailin.fr>';

const onlyEvent = (request: InboundRequest): DeliveryEvent => onlyEventOf(request, 'brevo', { now });
const mismatch = mismatchOf('brevo');

function eventOf(extra: Item, base = 'brevo-webhook-delivered.json'): DeliveryEvent {
	return onlyEvent(json({ ...fixtureJson<Item>(base), ...extra }));
}

describe('brevo fixtures', () => {
	it('has the eleven Brevo fixtures', () => assert.equal(BREVO_FIXTURES.length, 11));

	const expected: Record<string, [DeliveryEvent['status'], string, string | undefined, boolean | undefined]> = {
		'brevo-webhook-request.json': ['queued', 'dana.ortiz@example.net', undefined, undefined],
		'brevo-webhook-delivered.json': ['delivered', 'dana.ortiz@example.net', undefined, undefined],
		'brevo-webhook-deferred.json': ['deferred', 'dana.ortiz@example.net', '451 4.7.1 Greylisted, please try again later', true],
		'brevo-webhook-hard-bounce.json': ['bounced', 'no.such.user@example.org', '550 5.1.1 User unknown', false],
		'brevo-webhook-blocked.json': ['failed', 'blocked@example.org', 'blocked : due to blacklist user', false],
		'brevo-webhook-invalid-email.json': ['failed', 'not-an-email@', 'invalid email', false],
		'brevo-webhook-unique-opened.json': ['opened', 'dana.ortiz@example.net', undefined, undefined],
		'brevo-webhook-opened.json': ['opened', 'dana.ortiz@example.net', undefined, undefined],
		'brevo-webhook-click.json': ['clicked', 'dana.ortiz@example.net', undefined, undefined],
		'brevo-webhook-spam.json': ['complained', 'dana.ortiz@example.net', undefined, undefined],
		'brevo-webhook-unsubscribed.json': ['unsubscribed', 'dana.ortiz@example.net', undefined, undefined],
	};

	for (const name of BREVO_FIXTURES) {
		it(`${name}: auto-detected from bytes, string and parsed JSON alike, field by field`, () => {
			const e = onlyEvent(fixtureRequest(name));
			assert.deepEqual(onlyEvent(fixtureRequest(name, { asString: true })), e);
			assert.deepEqual(onlyEvent(fixtureRequest(name, { parsed: true })), e);
			assert.ok(deliveryEventSchema.safeParse(e).success);
			const source = fixtureJson<Item>(name);
			const [status, recipient, reason, retryable] = expected[name]!;
			assert.equal(e.status, status);
			assert.equal(e.providerStatus, source.event);
			assert.equal(e.recipient, recipient);
			assert.equal(e.channel, 'email');
			assert.equal(e.provider, 'brevo');
			assert.equal(e.providerMessageId, MESSAGE_ID);
			assert.equal(e.providerEventId, undefined, 'Brevo `id` is the webhook id, not an event id');
			assert.match(e.id, /^brevo:[0-9a-f]{32}$/);
			// ts_epoch is in milliseconds: the .123 survives.
			assert.equal(e.timestamp, new Date(source.ts_epoch as number).toISOString());
			assert.match(e.timestamp, /\.123Z$/);
			if (reason === undefined && retryable === undefined) assert.equal(e.error, undefined);
			else assert.deepEqual(e.error, { message: reason, retryable });
			assert.equal(e.metadata.xMailinCustom, 'tenant_id:t_0042|notification_id:ntf_8e1f');
			assert.deepEqual(e.metadata.tags, ['password-reset']);
			assert.equal(e.metadata.subject, 'Reset your password');
			assert.equal(e.metadata.templateId, 12);
			assert.equal(e.metadata.webhookId, 482913);
			assert.equal(e.metadata.date, '2026-05-28 17:10:00');
			assert.equal(e.metadata.sendingIp, '185.41.28.109');
			assert.deepEqual(e.raw, source);
		});
	}

	it('click and opens carry link, user agent and device', () => {
		const click = onlyEvent(fixtureRequest('brevo-webhook-click.json'));
		assert.equal(click.metadata.link, 'https://app.example.com/reset?token=abc123');
		assert.equal(click.metadata.deviceUsed, 'DESKTOP');
		assert.equal(click.metadata.userAgent, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/136.0');
		const open = onlyEvent(fixtureRequest('brevo-webhook-unique-opened.json'));
		assert.equal(open.metadata.deviceUsed, 'MOBILE');
		assert.equal(open.metadata.link, undefined);
	});

	it('ids differ between events of one message and repeat on re-delivery', () => {
		const ids = BREVO_FIXTURES.map((n) => onlyEvent(fixtureRequest(n)).id);
		assert.equal(new Set(ids).size, ids.length);
		assert.equal(onlyEvent(fixtureRequest('brevo-webhook-click.json')).id, onlyEvent(fixtureRequest('brevo-webhook-click.json')).id);
	});

	it('detect() claims exactly the Brevo fixtures', () => {
		assertDetectsExactly(detectBrevo, (name) => name.startsWith('brevo-'));
	});

	it('detect(): arrays of Brevo events yes, SendGrid arrays no', () => {
		assert.equal(detectBrevo(parseRequest(json([fixtureJson('brevo-webhook-click.json')]))).match, true);
		assert.equal(detectBrevo(parseRequest(json([{ event: 'delivered', ts_event: 1, sg_event_id: 'x' }]))).match, false);
		const miss = detectBrevo(parseRequest(json({ event: 'delivered' })));
		assert.equal(miss.match, false);
		assert.match(miss.match ? '' : miss.reason, /message-id/);
	});
});

describe('brevo events', () => {
	it('timestamp falls back from ts_epoch to ts_event to ts, then to the clock', () => {
		const base = fixtureJson<Item>('brevo-webhook-delivered.json');
		const { ts_epoch: _e, ...noEpoch } = base;
		assert.equal(onlyEvent(json(noEpoch)).timestamp, '2026-05-28T15:10:04.000Z');
		const { ts_event: _t, ...onlyTs } = noEpoch;
		assert.equal(onlyEvent(json({ ...onlyTs, ts: 1779981009 })).timestamp, '2026-05-28T15:10:09.000Z');
		const { ts: _s, ...none } = onlyTs;
		assert.equal(onlyEvent(json(none)).timestamp, NOW);
	});

	it('the other documented words map per §9.1; unknown words are kept', () => {
		const table: Record<string, DeliveryEvent['status']> = {
			soft_bounce: 'deferred',
			error: 'failed',
			proxy_open: 'opened',
			unique_proxy_open: 'opened',
			request: 'queued',
			spam: 'complained',
		};
		for (const [word, status] of Object.entries(table)) {
			assert.equal(mapBrevoStatus(word), status, word);
			assert.equal(eventOf({ event: word }).status, status, word);
		}
		const soft = eventOf({ event: 'soft_bounce', reason: 'mailbox full' });
		assert.deepEqual(soft.error, { message: 'mailbox full', retryable: true });
		assert.deepEqual(eventOf({ event: 'error', reason: 'sending failed' }).error, { message: 'sending failed' }, 'error gives no retry hint');
		assert.equal(eventOf({ event: 'error' }).error, undefined, 'nothing to say beyond the status');
		const future = eventOf({ event: 'loaded_by_proxy' });
		assert.equal(future.status, 'unknown');
		assert.equal(future.providerStatus, 'loaded_by_proxy');
	});

	it('a single tag without tags; unknown fields accepted', () => {
		const { tags: _t, ...rest } = fixtureJson<Item>('brevo-webhook-delivered.json');
		const e = onlyEvent(json({ ...rest, tag: 'receipts', mirror_link: 'https://x.test', brand_new: [1, 2] }));
		assert.deepEqual(e.metadata.tags, ['receipts']);
		assert.deepEqual((e.raw as Item).brand_new, [1, 2]);
	});

	it('an array of events comes out whole and in order', () => {
		const names = ['brevo-webhook-request.json', 'brevo-webhook-delivered.json', 'brevo-webhook-unique-opened.json', 'brevo-webhook-click.json'];
		const result = normalize(json(names.map((n) => fixtureJson(n))), { now });
		assert.equal(result.platform, 'brevo');
		assert.deepEqual(result.events.map((e) => e.providerStatus), ['request', 'delivered', 'unique_opened', 'click']);
	});
});

describe('brevo malformed input', () => {
	it('truncated and empty bodies → MalformedBodyError', () => {
		const bytes = fixtureBytes('brevo-webhook-click.json');
		assert.throws(() => normalize({ body: bytes.subarray(0, 100), headers: JSON_HEADERS }, { platform: 'brevo', now }), MalformedBodyError);
		assert.throws(() => normalize({ body: '', headers: JSON_HEADERS }, { platform: 'brevo', now }), MalformedBodyError);
	});

	it('shape problems name the path', () => {
		const base = fixtureJson<Item>('brevo-webhook-delivered.json');
		const { 'message-id': _m, ...noId } = base;
		mismatch(() => normalize(json(noId), { now }), 'message-id');
		mismatch(() => normalize(json({ ...base, ts_epoch: 'soon' }), { now }), 'ts_epoch');
		mismatch(() => normalize(json({ ...base, ts_epoch: undefined, ts_event: -5 }), { now }), 'ts_event');
		mismatch(() => normalize(json({ ...base, tags: 'password-reset' }), { now }), 'tags');
		mismatch(() => normalize(json([base, { ...base, event: 3 }]), { now }), '[1].event');
		mismatch(() => normalize(json([base, null]), { now }), '[1]');
		mismatch(() => normalize(json('delivered'), { platform: 'brevo', now }), '');
	});

	it('every truncation of every fixture normalizes or fails with a typed error', () => {
		assertTruncationsTyped(BREVO_FIXTURES, fixtureBytes, (body) => normalize({ body, headers: JSON_HEADERS }, { platform: 'brevo', now }));
	});

	it('fields of the wrong type anywhere give a typed error or a valid event', () => {
		const base = fixtureJson<Item>('brevo-webhook-hard-bounce.json');
		assertWrongTypesTyped(base, [null, 42, 'x', [], {}, -1], (body) => normalize(json(body), { platform: 'brevo', now }));
	});
});

const email = outboundMessages({
	id: 'msg_42',
	channel: 'email',
	provider: 'brevo',
	conversation: { id: 'dana.ortiz@example.net', type: 'direct' },
	recipients: [{ id: 'dana.ortiz@example.net', name: 'Dana' }],
	metadata: { subject: 'Reset your password' },
});

describe('brevo render', () => {
	const from = { from: 'Acme <no-reply@example.com>' };

	it('plain text → one v3/smtp/email body, field by field', () => {
		const out = render(email([{ type: 'text', text: 'Hi Dana,' }, { type: 'text', text: 'Use the link.' }]), 'brevo', from);
		assert.equal(out.platform, 'brevo');
		assert.deepEqual(out.payloads, [
			{
				endpoint: 'v3/smtp/email',
				contentType: 'application/json',
				body: {
					sender: { email: 'no-reply@example.com', name: 'Acme' },
					to: [{ email: 'dana.ortiz@example.net', name: 'Dana' }],
					subject: 'Reset your password',
					textContent: 'Hi Dana,\n\nUse the link.',
					headers: { 'X-Mailin-custom': 'msg_42' },
				},
			},
		]);
		assert.deepEqual(out.degradations, []);
	});

	it('markdown → htmlContent plus textContent', () => {
		const out = render(email([{ type: 'text', text: 'Hello **Dana**', format: 'markdown' }]), 'brevo', from);
		assert.equal(out.payloads[0]!.body.htmlContent, '<p>Hello <strong>Dana</strong></p>');
		assert.equal(out.payloads[0]!.body.textContent, 'Hello Dana');
	});

	it('media with a URL → attachment [{url, name?}]; captions go into the body, reported', () => {
		const out = render(
			email([
				{ type: 'text', text: 'Attached.' },
				{ type: 'media', kind: 'document', url: 'https://cdn.example.test/inv.pdf', filename: 'invoice.pdf', caption: 'Invoice 48213' },
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg' },
				{ type: 'media', kind: 'image', mediaId: 'only-an-id' },
			]),
			'brevo',
			from,
		);
		const body = out.payloads[0]!.body;
		assert.deepEqual(body.attachment, [{ url: 'https://cdn.example.test/inv.pdf', name: 'invoice.pdf' }, { url: 'https://cdn.example.test/a.jpg' }]);
		assert.equal(body.textContent, 'Attached.\n\nInvoice 48213');
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [
			[1, 'media', 'attachment'],
			[3, 'media', 'dropped'],
		]);
	});

	it('attachments only: their links become the body, reported', () => {
		const out = render(email([{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg' }]), 'brevo', from);
		assert.equal(out.payloads[0]!.body.textContent, 'https://cdn.example.test/a.jpg');
		assert.deepEqual(out.degradations.map((d) => [d.from, d.to]), [['media', 'text']]);
	});

	it('template → numeric templateId + params; subject optional; text beside it reported', () => {
		const out = render(
			email(
				[
					{ type: 'text', text: 'ignored' },
					{ type: 'template', name: '12', parameters: [{ name: 'first_name', value: 'Dana' }, { value: 'p1' }] },
				],
				{ metadata: {} },
			),
			'brevo',
			from,
		);
		const body = out.payloads[0]!.body;
		assert.equal(body.templateId, 12);
		assert.deepEqual(body.params, { first_name: 'Dana', '1': 'p1' });
		assert.equal(body.subject, undefined);
		assert.equal(body.textContent, undefined);
		assert.equal(body.htmlContent, undefined);
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [[0, 'text', 'dropped']]);
		assert.throws(
			() => render(email([{ type: 'template', name: 'd-abc' }]), 'brevo', from),
			(e: unknown) => e instanceof RenderError && /parts\[0\]\.name/.test(e.message),
		);
	});

	it('reply headers beside X-Mailin-custom; other parts become text (degrade.ts)', () => {
		const out = render(
			email([{ type: 'location', latitude: 48.85, longitude: 2.35, name: 'Paris office' }], { replyTo: { messageId: MESSAGE_ID } }),
			'brevo',
			from,
		);
		assert.deepEqual(out.payloads[0]!.body.headers, { 'X-Mailin-custom': 'msg_42', 'In-Reply-To': MESSAGE_ID, References: MESSAGE_ID });
		assert.equal(out.payloads[0]!.body.textContent, 'Paris office\nhttps://maps.google.com/?q=48.85,2.35');
		assert.deepEqual(out.degradations.map((d) => [d.from, d.to]), [['location', 'text']]);
	});

	it('RenderErrors name the missing field: from, metadata.subject, recipient', () => {
		assert.throws(() => render(email([{ type: 'text', text: 'x' }]), 'brevo', {}), (e: unknown) => e instanceof RenderError && e.platform === 'brevo' && /`from`/.test(e.message));
		assert.throws(() => render(email([{ type: 'text', text: 'x' }], { metadata: {} }), 'brevo', from), (e: unknown) => e instanceof RenderError && /metadata\.subject/.test(e.message));
		assert.throws(() => render(email([{ type: 'text', text: 'x' }]), 'brevo', { ...from, to: 'nobody' }), (e: unknown) => e instanceof RenderError && /not an email address/.test(e.message));
	});
});
