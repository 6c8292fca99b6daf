/**
 * A fake Twilio REST API (providers.md §1): `POST /2010-04-01/Accounts/{sid}/Messages.json` (form body,
 * repeated MediaUrl keys) and `GET /2010-04-01/Accounts/{sid}.json`, behind HTTP Basic auth
 * (AccountSid:AuthToken). Errors use Twilio's `{code, message, more_info, status}` body. Twilio's
 * magic test numbers answer like the real test credentials do: +15005550001 → 21211 (invalid),
 * +15005550009 → 21614 (not mobile), +15005550004 → 21610 (opted out). Tests script other answers
 * (429, 5xx, 63016, resets, hangs) with `next(...)`.
 */
import { randomBytes } from 'node:crypto';
import { FakeServer, type FakeReply, type RecordedRequest } from './server';

export const TWILIO_TEST_SID = 'ACa1b2c3d4e5f60718293a4b5c6d7e8f90';
export const TWILIO_TEST_TOKEN = 'test_twilio_auth_token_0123456789';

export interface TwilioFakeOptions {
	accountSid?: string;
	authToken?: string;
	/** `price`/`price_unit` in every 201 (Twilio usually reports null at creation). */
	price?: { price: string; unit: string };
	/** Account status on GET Account. */
	accountStatus?: 'active' | 'suspended' | 'closed';
}

export function twilioError(status: number, code: number, message: string, headers?: Record<string, string>): FakeReply {
	return { status, headers, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

const MAGIC: Readonly<Record<string, FakeReply>> = {
	'+15005550001': twilioError(400, 21211, "The 'To' number +15005550001 is not a valid phone number."),
	'+15005550009': twilioError(400, 21614, "'To' number is not a valid mobile number"),
	'+15005550004': twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'),
};

function rfc2822(date: Date): string {
	return date.toUTCString().replace('GMT', '+0000');
}

export class TwilioFake extends FakeServer {
	readonly accountSid: string;
	readonly authToken: string;
	price: { price: string; unit: string } | undefined;
	accountStatus: 'active' | 'suspended' | 'closed';
	/** Messages accepted (201), with the SID given to each and the form as received. */
	readonly accepted: Array<{ sid: string; form: URLSearchParams }> = [];

	constructor(options: TwilioFakeOptions = {}) {
		const self = (): TwilioFake => this; // routes run after construction
		super([
			{ method: 'POST', path: /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/, handler: (r) => self().#create(r) },
			{ method: 'GET', path: /^\/2010-04-01\/Accounts\/[^/]+\.json$/, handler: (r) => self().#account(r) },
		]);
		this.accountSid = options.accountSid ?? TWILIO_TEST_SID;
		this.authToken = options.authToken ?? TWILIO_TEST_TOKEN;
		this.price = options.price;
		this.accountStatus = options.accountStatus ?? 'active';
	}

	/** Twilio answers 401 / 20003 for a wrong pair, and 404 / 20404 for another account's path. */
	#auth(r: RecordedRequest): FakeReply | undefined {
		const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
		if (r.headers.authorization !== expected) return twilioError(401, 20003, 'Authenticate');
		const sid = r.path.split('/')[3]?.replace(/\.json$/, '');
		if (sid !== this.accountSid) return twilioError(404, 20404, `The requested resource ${r.path} was not found`);
		return undefined;
	}

	#account(r: RecordedRequest): FakeReply {
		const denied = this.#auth(r);
		if (denied) return denied;
		return {
			status: 200,
			body: {
				sid: this.accountSid,
				friendly_name: 'Acme Notifications',
				status: this.accountStatus,
				type: 'Full',
				owner_account_sid: this.accountSid,
				date_created: 'Mon, 05 Jan 2026 10:00:00 +0000',
				date_updated: 'Mon, 05 Jan 2026 10:00:00 +0000',
				auth_token: '[hidden by fake]',
				uri: `/2010-04-01/Accounts/${this.accountSid}.json`,
				subresource_uris: {},
			},
		};
	}

	#create(r: RecordedRequest): FakeReply {
		const denied = this.#auth(r);
		if (denied) return denied;
		const form = r.form;
		if (!form) return twilioError(400, 20001, 'Content-Type must be application/x-www-form-urlencoded');
		const to = form.get('To');
		if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
		const from = form.get('From');
		const service = form.get('MessagingServiceSid');
		if (!from && !service) return twilioError(400, 21603, "A 'From' phone number is required.");
		const media = form.getAll('MediaUrl');
		if (!form.get('Body') && media.length === 0 && !form.get('ContentSid')) return twilioError(400, 21619, 'A text message body or media urls must be specified.');
		if ((form.get('Body') ?? '').length > 1600) return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
		if (media.length > 10) return twilioError(400, 21623, 'Number of media files exceeds allowed limit');
		if (from && to.startsWith('whatsapp:') !== from.startsWith('whatsapp:')) {
			return twilioError(400, 21910, 'Invalid From and To pair. From and To should be of the same channel');
		}
		const magic = MAGIC[to.replace(/^whatsapp:/, '')];
		if (magic) return magic;
		const sid = `${media.length > 0 ? 'MM' : 'SM'}${randomBytes(16).toString('hex')}`;
		this.accepted.push({ sid, form });
		const now = rfc2822(new Date());
		return {
			status: 201,
			body: {
				account_sid: this.accountSid,
				api_version: '2010-04-01',
				body: form.get('Body') ?? '',
				date_created: now,
				date_sent: null,
				date_updated: now,
				direction: 'outbound-api',
				error_code: null,
				error_message: null,
				from: from ?? null,
				messaging_service_sid: service ?? null,
				num_media: String(media.length),
				num_segments: service && !from ? '0' : '1',
				price: this.price?.price ?? null,
				price_unit: this.price?.unit ?? 'USD',
				sid,
				status: service ? 'accepted' : 'queued',
				subresource_uris: { media: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}/Media.json` },
				to,
				uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}.json`,
			},
		};
	}
}
