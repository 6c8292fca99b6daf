/**
 * A fake Twilio SendGrid v3 API (providers.md §2): `POST /v3/mail/send` and `GET /v3/scopes`, with Bearer
 * auth, the documented `{errors: [{message, field, help}]}` bodies and 202 + X-Message-Id on success.
 * It checks what the real API checks first: the key, a verified From, valid recipient addresses, and
 * content or a template. Tests script other answers (429, 5xx, 413…) with `next(...)`.
 */
import { FakeServer, type FakeReply, type RecordedRequest } from './server';

export const SENDGRID_TEST_KEY = 'SG.fake-key_0123456789.abcdefghijklmnopqrstuvwxyzABCDEFGH';

export interface SendgridFakeOptions {
	apiKey?: string;
	/** Verified Sender Identities (lower case). */
	verifiedSenders?: string[];
	/** Scopes the key has (GET /v3/scopes). */
	scopes?: string[];
}

export function sendgridErrors(status: number, errors: Array<{ message: string; field?: string | null; help?: string | null; id?: string }>, headers?: Record<string, string>): FakeReply {
	return { status, headers, body: { errors: errors.map((e) => ({ field: null, help: null, ...e })) } };
}

const UNAUTHORIZED = sendgridErrors(401, [{ message: 'The provided authorization grant is invalid, expired, or revoked', field: null, help: null }]);

function isEmail(value: unknown): boolean {
	return typeof value === 'string' && /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value);
}

export class SendgridFake extends FakeServer {
	readonly apiKey: string;
	readonly verifiedSenders: string[];
	scopes: string[];
	/** Mails accepted (202), with the id given to each. */
	readonly accepted: Array<{ messageId: string; body: Record<string, unknown> }> = [];
	#counter = 0;

	/** Also forgets the accepted mails. */
	override reset(): void {
		super.reset();
		this.accepted.length = 0;
	}

	constructor(options: SendgridFakeOptions = {}) {
		const self = (): SendgridFake => this; // routes run after construction
		super([
			{ method: 'POST', path: /^\/v3\/mail\/send$/, handler: (r) => self().#mailSend(r) },
			{ method: 'GET', path: /^\/v3\/scopes$/, handler: (r) => self().#scopes(r) },
		]);
		this.apiKey = options.apiKey ?? SENDGRID_TEST_KEY;
		this.verifiedSenders = options.verifiedSenders ?? ['no-reply@acme.example'];
		this.scopes = options.scopes ?? ['mail.send', 'scopes.read', 'user.profile.read'];
	}

	#authorized(r: RecordedRequest): boolean {
		return r.headers.authorization === `Bearer ${this.apiKey}`;
	}

	#scopes(r: RecordedRequest): FakeReply {
		if (!this.#authorized(r)) return UNAUTHORIZED;
		return { status: 200, body: { scopes: this.scopes } };
	}

	#mailSend(r: RecordedRequest): FakeReply {
		if (!this.#authorized(r)) return UNAUTHORIZED;
		const body = r.json as Record<string, unknown> | undefined;
		if (!body || typeof body !== 'object') return sendgridErrors(400, [{ message: 'Bad Request', field: null }]);
		const from = body.from as { email?: unknown } | undefined;
		if (!isEmail(from?.email)) {
			return sendgridErrors(400, [{ message: 'The from email does not contain a valid address.', field: 'from.email', help: 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.from' }]);
		}
		if (!this.verifiedSenders.includes(String(from!.email).toLowerCase())) {
			return sendgridErrors(403, [{
				message: 'The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements',
				field: 'from',
				help: null,
			}]);
		}
		const personalizations = body.personalizations;
		if (!Array.isArray(personalizations) || personalizations.length === 0) {
			return sendgridErrors(400, [{ message: 'The personalizations field is required and must have at least one personalization.', field: 'personalizations' }]);
		}
		for (const [i, p] of personalizations.entries()) {
			const to = (p as { to?: unknown }).to;
			if (!Array.isArray(to) || to.length === 0) return sendgridErrors(400, [{ message: 'The to array is required for all personalization objects, and must have at least one email object with a valid email address.', field: `personalizations.${i}.to` }]);
			for (const [j, address] of to.entries()) {
				if (!isEmail((address as { email?: unknown }).email)) {
					return sendgridErrors(400, [{ message: 'Does not contain a valid address.', field: `personalizations.${i}.to.${j}.email`, help: 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to' }]);
				}
			}
		}
		if (body.template_id === undefined && !(Array.isArray(body.content) && body.content.length > 0)) {
			return sendgridErrors(400, [{
				message: 'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.',
				field: 'content',
				help: 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.content',
			}]);
		}
		if (body.template_id === undefined && typeof body.subject !== 'string') {
			return sendgridErrors(400, [{ message: 'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.', field: 'subject' }]);
		}
		this.#counter += 1;
		const messageId = `k3Zq9XtbT0yP2mWcR1a${String(this.#counter).padStart(3, '0')}`;
		this.accepted.push({ messageId, body });
		return { status: 202, headers: { 'x-message-id': messageId } };
	}
}
