/**
 * A fake Slack Web API (providers.md §6.1) under `/api/<method>`: chat.postMessage, reactions.add and
 * auth.test, with `Authorization: Bearer xoxb-…`. Like Slack it answers HTTP 200 with `{ok: false,
 * error}` for logical errors: no token → `not_authed`, a wrong one → `invalid_auth`, an unknown
 * channel → `channel_not_found`, an archived one → `is_archived`, no text and no blocks → `no_text`,
 * the same reaction twice → `already_reacted`. Success bodies are real-shaped (`channel`, `ts`,
 * `message`). A DM sent to a user id (U…) answers with the D… channel, as Slack does. 429 +
 * Retry-After, 5xx, resets and hangs are scripted per call with `next(…)`.
 */
import { FakeServer, type FakeReply, type RecordedRequest } from './server';

export const SLACK_BOT_TOKEN = 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
export const SLACK_CHANNEL = 'C0CHANNEL01';
export const SLACK_USER = 'U0USER0001';
export const SLACK_DM = 'D0DIRECT001';

/** A Web API logical error, as Slack sends it (HTTP 200 unless given). */
export function slackError(error: string, status = 200, headers?: Record<string, string>): FakeReply {
	return { status, headers, body: { ok: false, error } };
}

export class SlackFake extends FakeServer {
	readonly channels = new Set([SLACK_CHANNEL]);
	readonly archived = new Set<string>();
	readonly reactions = new Set<string>();
	#ts = 0;

	constructor(readonly token: string = SLACK_BOT_TOKEN) {
		let self: SlackFake | undefined;
		super([{ method: 'POST', path: /^\/api\/[\w.]+$/, handler: (r) => self!.#answer(r) }]);
		self = this;
	}

	override reset(): void {
		super.reset();
		this.archived.clear();
		this.reactions.clear();
		this.#ts = 0;
	}

	#answer(request: RecordedRequest): FakeReply {
		const method = request.path.slice('/api/'.length);
		const auth = request.headers.authorization;
		if (auth === undefined || !auth.startsWith('Bearer ')) return slackError('not_authed');
		if (auth.slice('Bearer '.length) !== this.token) return slackError('invalid_auth');
		const args = (request.json ?? (request.form ? Object.fromEntries(request.form) : {})) as Record<string, unknown>;
		switch (method) {
			case 'auth.test':
				return ok({ url: 'https://acme.slack.com/', team: 'Acme', user: 'switchboard', team_id: 'T0TEAM0001', user_id: 'U0BOT00001', bot_id: 'B0BOT00001', is_enterprise_install: false });
			case 'chat.postMessage': {
				const channel = this.#channel(args.channel);
				if (typeof channel !== 'string') return channel;
				const hasText = typeof args.text === 'string' && args.text.trim() !== '';
				const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
				if (!hasText && !hasBlocks) return slackError('no_text');
				if (hasBlocks && (args.blocks as unknown[]).length > 50) return slackError('invalid_blocks');
				this.#ts += 1;
				const ts = `1779981700.${String(900 + this.#ts).padStart(6, '0')}`;
				return ok({
					channel,
					ts,
					message: { type: 'message', subtype: 'bot_message', text: args.text, ts, bot_id: 'B0BOT00001', ...(hasBlocks ? { blocks: args.blocks } : {}), ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}) },
				});
			}
			case 'reactions.add': {
				const channel = this.#channel(args.channel);
				if (typeof channel !== 'string') return channel;
				if (typeof args.timestamp !== 'string' || typeof args.name !== 'string') return slackError('no_item_specified');
				const key = `${channel}:${args.timestamp}:${args.name}`;
				if (this.reactions.has(key)) return slackError('already_reacted');
				this.reactions.add(key);
				return ok({});
			}
			default:
				return slackError('unknown_method');
		}
	}

	#channel(value: unknown): string | FakeReply {
		if (typeof value !== 'string' || value === '') return slackError('channel_not_found');
		if (value.startsWith('U')) return value === SLACK_USER ? SLACK_DM : slackError('user_not_found');
		if (this.archived.has(value)) return slackError('is_archived');
		if (!this.channels.has(value)) return slackError('channel_not_found');
		return value;
	}
}

function ok(fields: Record<string, unknown>): FakeReply {
	return { status: 200, body: { ok: true, ...fields } };
}
