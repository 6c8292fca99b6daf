import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedBodyError, RenderError } from '../../../core/errors';
import { normalize } from '../../../core/normalize';
import { detectSendgrid } from '../../../core/platforms/sendgrid';
import { markdownToHtml, parseAddress } from '../../../core/platforms/shared/email';
import { mapSendgridStatus } from '../../../core/platforms/sendgrid/map-sendgrid-status';
import { render } from '../../../core/render';
import { parseRequest } from '../../../core/request';
import { deliveryEventSchema, type DeliveryEvent } from '../../../core/schema/message';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureRequest } from '../../support/fixtures';
import { JSON_HEADERS, assertDetectsExactly, assertTruncationsTyped, assertWrongTypesTyped, jsonRequest as json, mismatchOf, onlyEvent as onlyEventOf, outboundMessages, type Json as Item } from '../../support/platform-test-kit';

const now = () => new Date('2026-05-28T16:00:00.000Z');
const SENDGRID_FIXTURES = fixtureNames().filter((n) => n.startsWith('sendgrid-'));
const SG_MESSAGE_ID = 'k3Zq9XtbT0yP2mWcR1aHdg.recvd-7f9c8d6b5-x2h4q-1-6650A1B2-9.0';

function item(name: string): Item {
	return fixtureJson<Item[]>(name)[0]!;
}

const onlyEvent = (name: string): DeliveryEvent => onlyEventOf(fixtureRequest(name), 'sendgrid', { now });
const mismatch = mismatchOf('sendgrid');

function eventOf(extra: Item, base = 'sendgrid-event-delivered.json'): DeliveryEvent {
	return normalize(json([{ ...item(base), ...extra }]), { now }).events[0]!;
}

describe('sendgrid fixtures', () => {
	it('has the nine SendGrid fixtures', () => assert.equal(SENDGRID_FIXTURES.length, 9));

	for (const name of SENDGRID_FIXTURES) {
		it(`${name}: auto-detected from bytes, string and parsed JSON alike; common fields`, () => {
			const e = onlyEvent(name);
			assert.deepEqual(normalize(fixtureRequest(name, { asString: true }), { now }), normalize(fixtureRequest(name), { now }));
			assert.deepEqual(normalize(fixtureRequest(name, { parsed: true }), { now }).events, [e]);
			assert.ok(deliveryEventSchema.safeParse(e).success);
			const source = item(name);
			assert.equal(e.channel, 'email');
			assert.equal(e.provider, 'sendgrid');
			assert.equal(e.providerMessageId, 'k3Zq9XtbT0yP2mWcR1aHdg', 'the X-Message-Id prefix before the first dot');
			assert.equal(e.metadata.sgMessageId, SG_MESSAGE_ID);
			assert.equal(e.metadata.smtpId, '<k3Zq9XtbT0yP2mWcR1aHdg@geopod-ismtpd-3>');
			assert.equal(e.providerEventId, source.sg_event_id);
			assert.equal(e.id, `sendgrid:${String(source.sg_event_id)}`);
			assert.equal(e.providerStatus, source.event);
			assert.equal(e.recipient, source.email);
			assert.equal(e.timestamp, new Date((source.timestamp as number) * 1000).toISOString());
			assert.deepEqual(e.metadata.category, ['password-reset']);
			assert.deepEqual(e.metadata.customArgs, { tenant_id: 't_0042', notification_id: 'ntf_8e1f' });
			assert.deepEqual(e.raw, source);
		});
	}

	it('detect() claims exactly the SendGrid fixtures', () => {
		assertDetectsExactly(detectSendgrid, (name) => name.startsWith('sendgrid-'));
	});

	it('detect() matches on the signature header alone; a Brevo array is not SendGrid', () => {
		assert.equal(detectSendgrid(parseRequest({ body: '[]', headers: { 'X-Twilio-Email-Event-Webhook-Signature': 'MEUC' } })).match, true);
		assert.equal(detectSendgrid(parseRequest(json([fixtureJson('brevo-webhook-delivered.json')]))).match, false);
		const miss = detectSendgrid(parseRequest(json([])));
		assert.equal(miss.match, false);
		assert.match(miss.match ? '' : miss.reason, /sg_event_id/);
	});
});

describe('sendgrid events', () => {
	it('status per event, with timestamps', () => {
		const expected: Array<[string, DeliveryEvent['status'], string]> = [
			['sendgrid-event-processed.json', 'queued', '2026-05-28T15:10:00.000Z'],
			['sendgrid-event-delivered.json', 'delivered', '2026-05-28T15:10:04.000Z'],
			['sendgrid-event-bounce.json', 'bounced', '2026-05-28T15:10:05.000Z'],
			['sendgrid-event-blocked.json', 'failed', '2026-05-28T15:10:06.000Z'],
			['sendgrid-event-dropped.json', 'failed', '2026-05-28T15:10:01.000Z'],
			['sendgrid-event-open.json', 'opened', '2026-05-28T15:18:20.000Z'],
			['sendgrid-event-click.json', 'clicked', '2026-05-28T15:20:20.000Z'],
			['sendgrid-event-spamreport.json', 'complained', '2026-05-28T16:16:40.000Z'],
			['sendgrid-event-unsubscribe.json', 'unsubscribed', '2026-05-28T16:18:20.000Z'],
		];
		for (const [name, status, timestamp] of expected) {
			const e = onlyEvent(name);
			assert.equal(e.status, status, name);
			assert.equal(e.timestamp, timestamp, name);
		}
	});

	it('delivered: SMTP response kept, no error', () => {
		const e = onlyEvent('sendgrid-event-delivered.json');
		assert.equal(e.recipient, 'dana.ortiz@example.net');
		assert.equal(e.error, undefined);
		assert.equal(e.metadata.response, '250 2.0.0 OK 1779981004 x12si4455oth.77 - gsmtp');
		assert.equal(e.metadata.ip, '203.0.113.40');
		assert.equal(e.metadata.tls, 1);
	});

	it('bounce (hard): bounced, error code = SMTP status, not retryable, classification kept', () => {
		const e = onlyEvent('sendgrid-event-bounce.json');
		assert.equal(e.providerStatus, 'bounce');
		assert.deepEqual(e.error, { code: '5.1.1', message: '550 5.1.1 The email account that you tried to reach does not exist.', retryable: false });
		assert.equal(e.metadata.bounceType, 'bounce');
		assert.equal(e.metadata.bounceClassification, 'Invalid Address');
		assert.equal(e.metadata.reason, '550 5.1.1 The email account that you tried to reach does not exist.');
		assert.equal(e.metadata.smtpStatus, '5.1.1');
		assert.equal(e.recipient, 'no.such.user@example.org');
	});

	it('bounce type blocked: failed, providerStatus unchanged', () => {
		const e = onlyEvent('sendgrid-event-blocked.json');
		assert.equal(e.status, 'failed');
		assert.equal(e.providerStatus, 'bounce');
		assert.equal(e.metadata.bounceType, 'blocked');
		assert.equal(e.metadata.bounceClassification, 'Reputation');
		assert.deepEqual(e.error, { code: '5.7.1', message: '554 5.7.1 Message rejected due to local policy', retryable: false });
	});

	it('dropped: failed with the suppression reason', () => {
		const e = onlyEvent('sendgrid-event-dropped.json');
		assert.deepEqual(e.error, { code: '5.0.0', message: 'Unsubscribed Address', retryable: false });
		assert.equal(e.recipient, 'unsub.person@example.com');
	});

	it('open: machineOpen flag; click: url and offset', () => {
		const open = onlyEvent('sendgrid-event-open.json');
		assert.equal(open.metadata.machineOpen, false);
		assert.match(open.metadata.userAgent as string, /iPhone/);
		assert.equal(open.error, undefined);
		const machine = eventOf({ sg_machine_open: true }, 'sendgrid-event-open.json');
		assert.equal(machine.status, 'opened');
		assert.equal(machine.metadata.machineOpen, true);
		const click = onlyEvent('sendgrid-event-click.json');
		assert.equal(click.metadata.url, 'https://app.example.com/reset?token=abc123');
		assert.deepEqual(click.metadata.urlOffset, { index: 0, type: 'html' });
	});

	it('deferred is retryable; group (un|re)subscribe; unknown events kept', () => {
		const deferred = eventOf({ event: 'deferred', response: '451 4.7.1 Greylisted', attempt: '2' });
		assert.equal(deferred.status, 'deferred');
		assert.deepEqual(deferred.error, { message: '451 4.7.1 Greylisted', retryable: true });
		assert.equal(deferred.metadata.attempt, 2);
		const groupUnsub = eventOf({ event: 'group_unsubscribe', asm_group_id: 21045 });
		assert.equal(groupUnsub.status, 'unsubscribed');
		assert.equal(groupUnsub.metadata.asmGroupId, 21045);
		const resub = eventOf({ event: 'group_resubscribe', asm_group_id: 21045 });
		assert.equal(resub.status, 'unknown');
		assert.equal(resub.providerStatus, 'group_resubscribe');
		const future = eventOf({ event: 'amp_interaction' });
		assert.equal(future.status, 'unknown');
		assert.equal(future.providerStatus, 'amp_interaction');
		assert.equal(mapSendgridStatus('bounce'), 'bounced');
		assert.equal(mapSendgridStatus('bounce', 'blocked'), 'failed');
	});

	it('a category string, a switchboard_id custom arg and unknown fields are kept', () => {
		const e = eventOf({ category: 'receipts', switchboard_id: 'msg_1', some_new_sendgrid_field: { a: 1 } });
		assert.equal(e.metadata.category, 'receipts');
		assert.deepEqual(e.metadata.customArgs, { tenant_id: 't_0042', notification_id: 'ntf_8e1f', switchboard_id: 'msg_1', some_new_sendgrid_field: { a: 1 } });
	});

	it('without sg_message_id the smtp-id gives the message id; without sg_event_id the id is derived and stable', () => {
		const { sg_message_id: _m, sg_event_id: _e, ...rest } = item('sendgrid-event-delivered.json');
		const e = normalize(json([rest]), { now, platform: 'sendgrid' }).events[0]!;
		assert.equal(e.providerMessageId, 'k3Zq9XtbT0yP2mWcR1aHdg');
		assert.equal(e.providerEventId, undefined);
		assert.match(e.id, /^sendgrid:[0-9a-f]{32}$/);
		assert.equal(normalize(json([rest]), { now, platform: 'sendgrid' }).events[0]!.id, e.id);
	});

	it('a batch of all nine events comes out whole and in order', () => {
		const batch = SENDGRID_FIXTURES.map(item);
		const result = normalize(json(batch), { now });
		assert.equal(result.platform, 'sendgrid');
		assert.deepEqual(result.events.map((e) => e.providerEventId), batch.map((b) => b.sg_event_id));
		assert.deepEqual(result.events.map((e) => e.providerStatus), batch.map((b) => b.event));
	});

	it('a single event object is accepted when the platform is named', () => {
		const e = normalize(json(item('sendgrid-event-open.json')), { now, platform: 'sendgrid' }).events;
		assert.equal(e.length, 1);
		assert.equal(e[0]!.status, 'opened');
	});
});

describe('sendgrid malformed input', () => {
	it('truncated and empty bodies → MalformedBodyError', () => {
		const bytes = fixtureBytes('sendgrid-event-bounce.json');
		assert.throws(() => normalize({ body: bytes.subarray(0, bytes.length - 10), headers: JSON_HEADERS }, { platform: 'sendgrid', now }), MalformedBodyError);
		assert.throws(() => normalize({ body: '  ', headers: JSON_HEADERS }, { platform: 'sendgrid', now }), MalformedBodyError);
	});

	it('shape problems name the item and field', () => {
		const good = item('sendgrid-event-delivered.json');
		const { event: _e, ...noEvent } = good;
		mismatch(() => normalize(json([good, noEvent]), { platform: 'sendgrid', now }), '[1].event');
		mismatch(() => normalize(json([good, { ...good, timestamp: 'yesterday' }]), { now }), '[1].timestamp');
		mismatch(() => normalize(json([good, { ...good, timestamp: true }]), { now }), '[1].timestamp');
		mismatch(() => normalize(json([{ ...good, email: 7 }]), { now }), '[0].email');
		mismatch(() => normalize(json([{ ...good, category: [1] }]), { now }), '[0].category');
		const { sg_message_id: _m, 'smtp-id': _s, ...noIds } = good;
		mismatch(() => normalize(json([noIds]), { now }), '[0].sg_message_id');
		mismatch(() => normalize(json([good, 'x']), { now }), '[1]');
		mismatch(() => normalize(json(42), { platform: 'sendgrid', now }), '');
	});

	it('every truncation of every fixture normalizes or fails with a typed error', () => {
		assertTruncationsTyped(SENDGRID_FIXTURES, fixtureBytes, (body) => normalize({ body, headers: JSON_HEADERS }, { platform: 'sendgrid', now }));
	});

	it('fields of the wrong type anywhere give a typed error or a valid event', () => {
		const base = item('sendgrid-event-bounce.json');
		assertWrongTypesTyped(base, [null, 42, 'x', [], {}, -1], (body) => normalize(json([body]), { platform: 'sendgrid', now }));
	});
});

const email = outboundMessages({
	id: 'msg_42',
	channel: 'email',
	provider: 'sendgrid',
	conversation: { id: 'dana.ortiz@example.net', type: 'direct' },
	recipients: [{ id: 'dana.ortiz@example.net', name: 'Dana' }],
	metadata: { subject: 'Reset your password' },
});

describe('sendgrid render', () => {
	const from = { from: 'Acme <no-reply@example.com>' };

	it('plain text → one v3/mail/send body, field by field', () => {
		const out = render(email([{ type: 'text', text: 'Hi Dana,' }, { type: 'text', text: 'Click the link.' }]), 'sendgrid', from);
		assert.equal(out.payloads.length, 1);
		const payload = out.payloads[0]!;
		assert.equal(payload.endpoint, 'v3/mail/send');
		assert.equal(payload.contentType, 'application/json');
		assert.deepEqual(payload.body.personalizations, [{ to: [{ email: 'dana.ortiz@example.net', name: 'Dana' }] }]);
		assert.deepEqual(payload.body.from, { email: 'no-reply@example.com', name: 'Acme' });
		assert.equal(payload.body.subject, 'Reset your password');
		assert.deepEqual(payload.body.content, [{ type: 'text/plain', value: 'Hi Dana,\n\nClick the link.' }]);
		assert.deepEqual(payload.body.custom_args, { switchboard_id: 'msg_42' });
		assert.equal(payload.body.template_id, undefined);
		assert.equal(payload.body.headers, undefined);
		assert.deepEqual(out.degradations, []);
	});

	it('markdown and HTML parts → text/plain first, then text/html', () => {
		const out = render(
			email([
				{ type: 'text', text: '# Hello\n\nThis is **bold** and a [link](https://example.com/a?b=1&c=2).', format: 'markdown' },
				{ type: 'text', text: '<p>Plain <b>HTML</b></p>', format: 'html' },
				{ type: 'text', text: 'a < b' },
			]),
			'sendgrid',
			from,
		);
		const content = out.payloads[0]!.body.content as Array<{ type: string; value: string }>;
		assert.deepEqual(content.map((c) => c.type), ['text/plain', 'text/html']);
		assert.equal(content[0]!.value, 'Hello\n\nThis is bold and a link (https://example.com/a?b=1&c=2).\n\nPlain HTML\n\na < b');
		assert.equal(
			content[1]!.value,
			'<h1>Hello</h1>\n<p>This is <strong>bold</strong> and a <a href="https://example.com/a?b=1&amp;c=2">link</a>.</p>\n<p>Plain <b>HTML</b></p>\n<p>a &lt; b</p>',
		);
		assert.deepEqual(out.degradations, []);
	});

	it('markdown → HTML escapes raw HTML and refuses javascript: links', () => {
		assert.equal(markdownToHtml('<script>x</script> [a](javascript:alert(1))'), '<p>&lt;script&gt;x&lt;/script&gt; [a](javascript:alert(1))</p>');
	});

	it('media becomes a link in the body (attachments need base64), reported', () => {
		const out = render(
			email([
				{ type: 'text', text: 'Your invoice:' },
				{ type: 'media', kind: 'document', url: 'https://cdn.example.test/inv.pdf', caption: 'Invoice 48213' },
			]),
			'sendgrid',
			from,
		);
		assert.deepEqual(out.payloads[0]!.body.content, [{ type: 'text/plain', value: 'Your invoice:\n\nInvoice 48213\nhttps://cdn.example.test/inv.pdf' }]);
		assert.equal(out.payloads[0]!.body.attachments, undefined);
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [[1, 'media', 'text']]);
	});

	it('buttons and locations become text (degrade.ts)', () => {
		const out = render(
			email([{ type: 'buttons', text: 'Choose:', buttons: [{ title: 'Reset', action: 'url', url: 'https://app.example.com/reset' }] }]),
			'sendgrid',
			from,
		);
		assert.deepEqual(out.payloads[0]!.body.content, [{ type: 'text/plain', value: 'Choose:\n1. Reset (https://app.example.com/reset)' }]);
		assert.deepEqual(out.degradations.map((d) => [d.from, d.to]), [['buttons', 'text']]);
	});

	it('template → template_id + dynamic_template_data; no subject needed; text beside it reported', () => {
		const out = render(
			email(
				[
					{ type: 'text', text: 'ignored by the template' },
					{ type: 'template', name: 'd-0123456789abcdef0123456789abcdef', parameters: [{ name: 'first_name', value: 'Dana' }, { value: 'pos1' }] },
					{ type: 'template', name: 'd-second' },
				],
				{ metadata: {} },
			),
			'sendgrid',
			from,
		);
		const body = out.payloads[0]!.body;
		assert.equal(body.template_id, 'd-0123456789abcdef0123456789abcdef');
		assert.deepEqual(body.personalizations, [{ to: [{ email: 'dana.ortiz@example.net', name: 'Dana' }], dynamic_template_data: { first_name: 'Dana', '1': 'pos1' } }]);
		assert.equal(body.subject, undefined);
		assert.equal(body.content, undefined);
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [
			[2, 'template', 'dropped'],
			[0, 'text', 'dropped'],
		]);
	});

	it('reply → In-Reply-To / References headers', () => {
		const out = render(email([{ type: 'text', text: 'Re' }], { replyTo: { messageId: 'abc@mail.example.com' } }), 'sendgrid', from);
		assert.deepEqual(out.payloads[0]!.body.headers, { 'In-Reply-To': '<abc@mail.example.com>', References: '<abc@mail.example.com>' });
	});

	it('recipient: options.to wins (with its own name), conversation.id when no recipients', () => {
		const to = render(email([{ type: 'text', text: 'x' }]), 'sendgrid', { ...from, to: 'Ops <ops@example.com>' });
		assert.deepEqual(to.payloads[0]!.body.personalizations, [{ to: [{ email: 'ops@example.com', name: 'Ops' }] }]);
		const conv = render(email([{ type: 'text', text: 'x' }], { recipients: [] }), 'sendgrid', from);
		assert.deepEqual(conv.payloads[0]!.body.personalizations, [{ to: [{ email: 'dana.ortiz@example.net' }] }]);
		assert.deepEqual(parseAddress('"Acme, Inc." <a@b.example>'), { email: 'a@b.example', name: 'Acme, Inc.' });
	});

	it('RenderErrors name the missing field: from, metadata.subject, recipient', () => {
		assert.throws(
			() => render(email([{ type: 'text', text: 'x' }]), 'sendgrid', {}),
			(e: unknown) => e instanceof RenderError && e.platform === 'sendgrid' && /`from`/.test(e.message),
		);
		assert.throws(
			() => render(email([{ type: 'text', text: 'x' }]), 'sendgrid', { from: 'not an address' }),
			(e: unknown) => e instanceof RenderError && /`from`/.test(e.message),
		);
		assert.throws(
			() => render(email([{ type: 'text', text: 'x' }], { metadata: {} }), 'sendgrid', from),
			(e: unknown) => e instanceof RenderError && /metadata\.subject/.test(e.message),
		);
		assert.throws(
			() => render(email([{ type: 'text', text: 'x' }], { recipients: [{ id: '+447700900321' }] }), 'sendgrid', from),
			(e: unknown) => e instanceof RenderError && /not an email address/.test(e.message),
		);
	});
});
