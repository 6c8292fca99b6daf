/**
 * A fake Brevo API (providers.md §9.1): `POST /v3/smtp/email` and `GET /v3/account`, with the key in the
 * `api-key` header, Brevo's `{code, message}` error bodies and 201 `{messageId}` on success. It checks a
 * verified sender, valid recipient addresses, a subject and content or a known template, as Brevo does.
 * Tests script other answers (429, 402, 5xx…) with `next(...)`.
 */
import { FakeServer, type FakeReply, type RecordedRequest } from './server';

export const BREVO_TEST_KEY = 'xkeysib-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-AbCdEfGhIjKlMnOp';

export interface BrevoFakeOptions {
	apiKey?: string;
	verifiedSenders?: string[];
	/** Template ids that exist. */
	templates?: number[];
}

export function brevoError(status: number, code: string, message: string, headers?: Record<string, string>): FakeReply {
	return { status, headers, body: { code, message } };
}

function isEmail(value: unknown): boolean {
	return typeof value === 'string' && /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value);
}

export class BrevoFake extends FakeServer {
	readonly apiKey: string;
	readonly verifiedSenders: string[];
	readonly templates: number[];
	readonly accepted: Array<{ messageId: string; body: Record<string, unknown> }> = [];
	#counter = 0;

	/** Also forgets the accepted mails. */
	override reset(): void {
		super.reset();
		this.accepted.length = 0;
	}

	constructor(options: BrevoFakeOptions = {}) {
		const self = (): BrevoFake => this;
		super([
			{ method: 'POST', path: /^\/v3\/smtp\/email$/, handler: (r) => self().#send(r) },
			{ method: 'GET', path: /^\/v3\/account$/, handler: (r) => self().#account(r) },
		]);
		this.apiKey = options.apiKey ?? BREVO_TEST_KEY;
		this.verifiedSenders = options.verifiedSenders ?? ['no-reply@acme.example'];
		this.templates = options.templates ?? [12];
	}

	#unauthorized(r: RecordedRequest): FakeReply | undefined {
		if (r.headers['api-key'] === this.apiKey) return undefined;
		return brevoError(401, 'unauthorized', 'Key not found');
	}

	#account(r: RecordedRequest): FakeReply {
		return this.#unauthorized(r) ?? {
			status: 200,
			body: {
				email: 'ops@acme.example',
				firstName: 'Dana',
				lastName: 'Ortiz',
				companyName: 'Acme',
				address: { street: '1 Main St', city: 'Paris', zipCode: '75001', country: 'France' },
				plan: [{ type: 'free', credits: 300, creditsType: 'sendLimit' }],
				relay: { enabled: true, data: { userName: 'ops@acme.example', relay: 'smtp-relay.brevo.com', port: 587 } },
			},
		};
	}

	#send(r: RecordedRequest): FakeReply {
		const denied = this.#unauthorized(r);
		if (denied) return denied;
		const body = r.json as Record<string, unknown> | undefined;
		if (!body || typeof body !== 'object') return brevoError(400, 'bad_request', 'Input must be a valid JSON object');
		const sender = body.sender as { email?: unknown } | undefined;
		if (!sender) return brevoError(400, 'missing_parameter', 'sender is missing');
		if (!isEmail(sender.email)) return brevoError(400, 'invalid_parameter', 'valid sender email required');
		if (!this.verifiedSenders.includes(String(sender.email).toLowerCase())) {
			return brevoError(400, 'invalid_parameter', `Sending has been rejected because the sender you used ${String(sender.email)} is not valid. Validate your sender or authenticate your domain`);
		}
		const to = body.to;
		if (!Array.isArray(to) || to.length === 0) return brevoError(400, 'missing_parameter', 'to is missing');
		for (const address of to) if (!isEmail((address as { email?: unknown }).email)) return brevoError(400, 'invalid_parameter', 'email is not valid in to');
		if (body.templateId !== undefined) {
			if (!this.templates.includes(Number(body.templateId))) return brevoError(404, 'document_not_found', 'Template ID does not exist');
		} else {
			if (typeof body.subject !== 'string' || body.subject === '') return brevoError(400, 'missing_parameter', 'subject is missing');
			if (typeof body.htmlContent !== 'string' && typeof body.textContent !== 'string') return brevoError(400, 'missing_parameter', 'htmlContent is missing');
		}
		this.#counter += 1;
		const messageId = `<20260528151${String(this.#counter).padStart(3, '0')}.81726354910@smtp-relay.mailin.fr>`;
		this.accepted.push({ messageId, body });
		return { status: 201, body: { messageId } };
	}
}
