/**
 * A fake Vonage API (providers.md §9.2): the Messages API `POST /v1/messages` and the Account API
 * `GET /account/get-balance`, both behind HTTP Basic auth (api_key:api_secret). Errors are RFC 7807
 * problem JSON (`type`, `title`, `detail`, `instance`, and `invalid_parameters` on 422). Success is
 * 202 `{message_uuid}`. Tests script other answers (429 #1000, 5xx, window, resets) with `next(...)`.
 */
import { randomUUID } from 'node:crypto';
import { FakeServer, type FakeReply, type RecordedRequest } from './server';

export const VONAGE_TEST_KEY = 'abcd1234';
export const VONAGE_TEST_SECRET = 'Vonage-Test-Secret-9876';

export interface VonageFakeOptions {
	apiKey?: string;
	apiSecret?: string;
	balance?: number;
}

export function vonageProblem(
	status: number,
	code: string,
	title: string,
	detail: string,
	extra: Record<string, unknown> = {},
	headers?: Record<string, string>,
): FakeReply {
	const path = /^\d+$/.test(code) ? `messages-olympus#${code}` : `#${code}`;
	return {
		status,
		headers: { 'content-type': 'application/problem+json', ...headers },
		body: { type: `https://developer.nexmo.com/api-errors${path.startsWith('#') ? '' : '/'}${path}`, title, detail, instance: randomUUID(), ...extra },
	};
}

const UNAUTHORIZED = (): FakeReply => vonageProblem(401, 'unauthorized', 'Unauthorized', 'You did not provide correct credentials.');

const CHANNELS = new Set(['sms', 'mms', 'whatsapp', 'messenger', 'viber_service', 'rcs']);
const TYPES = new Set(['text', 'image', 'audio', 'video', 'file', 'vcard', 'sticker', 'template', 'custom']);

export class VonageFake extends FakeServer {
	readonly apiKey: string;
	readonly apiSecret: string;
	balance: number;
	/** Messages accepted (202), with the uuid given to each. */
	readonly accepted: Array<{ uuid: string; body: Record<string, unknown> }> = [];

	constructor(options: VonageFakeOptions = {}) {
		const self = (): VonageFake => this; // routes run after construction
		super([
			{ method: 'POST', path: /^\/v1\/messages$/, handler: (r) => self().#send(r) },
			{ method: 'GET', path: /^\/account\/get-balance$/, handler: (r) => self().#balance(r) },
		]);
		this.apiKey = options.apiKey ?? VONAGE_TEST_KEY;
		this.apiSecret = options.apiSecret ?? VONAGE_TEST_SECRET;
		this.balance = options.balance ?? 10.28;
	}

	#authorized(r: RecordedRequest): boolean {
		return r.headers.authorization === `Basic ${Buffer.from(`${this.apiKey}:${this.apiSecret}`).toString('base64')}`;
	}

	#balance(r: RecordedRequest): FakeReply {
		if (!this.#authorized(r)) return UNAUTHORIZED();
		return { status: 200, body: { value: this.balance, autoReload: false } };
	}

	#send(r: RecordedRequest): FakeReply {
		if (!this.#authorized(r)) return UNAUTHORIZED();
		const body = r.json as Record<string, unknown> | undefined;
		if (!body || typeof body !== 'object' || Array.isArray(body)) {
			const invalid_parameters = [{ name: 'body', reason: 'not JSON' }];
			return vonageProblem(422, '1020', 'Invalid params', 'The value of one or more parameters is invalid.', { invalid_parameters });
		}
		const invalid: Array<{ name: string; reason: string }> = [];
		const check = (ok: boolean, name: string, reason: string) => void (ok || invalid.push({ name, reason }));
		const type = body.message_type as string;
		const text = body.text;
		check(typeof body.channel === 'string' && CHANNELS.has(body.channel), 'channel', 'Must be one of sms, mms, whatsapp, messenger, viber_service, rcs');
		check(typeof type === 'string' && TYPES.has(type), 'message_type', 'Invalid message_type');
		check(typeof body.to === 'string' && /^[1-9]\d{6,14}$/.test(body.to), 'to', 'Invalid number format (E.164 digits without +)');
		check(typeof body.from === 'string' && body.from !== '', 'from', 'Required');
		if (type === 'text') check(typeof text === 'string' && text !== '', 'text', 'Required');
		if (type === 'text' && body.channel === 'sms') check(typeof text !== 'string' || text.length <= 1000, 'text', 'Must be at most 1000 characters');
		if (['image', 'audio', 'video', 'file'].includes(type)) check(typeof (body[type] as { url?: unknown } | undefined)?.url === 'string', `${type}.url`, 'Required');
		if (invalid.length > 0) {
			return vonageProblem(422, '1020', 'Invalid params', 'The value of one or more parameters is invalid.', { invalid_parameters: invalid });
		}
		const uuid = randomUUID();
		this.accepted.push({ uuid, body });
		return { status: 202, body: { message_uuid: uuid } };
	}
}
