/**
 * Slack: Events API, interactivity and slash commands in (providers.md §6.2), Web API bodies out (§6.1).
 */
import type { ParsedRequest } from '../../request';
import { isRecord } from '../../util/object';
import type { Detection, PlatformAdapter } from '../types';
import { convertSlackRequest } from './normalize';
import { renderSlack, slackCapabilities } from './render';

const ENVELOPE_TYPES = new Set(['url_verification', 'event_callback', 'app_rate_limited']);

/**
 * Slack signs every request (X-Slack-Signature); without it the body is recognisable: an Events API
 * envelope (`type` url_verification / event_callback / app_rate_limited with Slack's fields), an
 * interactivity form whose `payload` is a JSON object with Slack's keys (checked on the string, not
 * parsed twice), or a slash-command form.
 */
export function detectSlack(request: ParsedRequest): Detection {
	const body = request.body;
	if (isRecord(body)) {
		const type = body.type;
		if (typeof type === 'string' && ENVELOPE_TYPES.has(type)) {
			if (type === 'url_verification' ? typeof body.challenge === 'string' : isRecord(body.event) || typeof body.api_app_id === 'string' || typeof body.team_id === 'string') {
				return { match: true };
			}
		}
		const payload = body.payload;
		if (typeof payload === 'string' && payload.charCodeAt(0) === 0x7b && payload.includes('"type"') && (payload.includes('"api_app_id"') || payload.includes('"trigger_id"') || payload.includes('"response_url"'))) {
			return { match: true };
		}
		if (isRecord(payload) && typeof payload.type === 'string' && (typeof payload.api_app_id === 'string' || typeof payload.trigger_id === 'string')) return { match: true };
		if (typeof body.command === 'string' && body.command.startsWith('/') && typeof body.team_id === 'string' && typeof body.channel_id === 'string') return { match: true };
	}
	if (request.headers['x-slack-signature'] !== undefined && request.bodyKind !== 'empty') return { match: true };
	return { match: false, reason: 'no X-Slack-Signature header, Events API envelope, interactivity payload or slash command' };
}

export const slackAdapter: PlatformAdapter = {
	id: 'slack',
	name: 'Slack (Events API and interactivity)',
	channel: 'slack',
	detect: detectSlack,
	normalize: convertSlackRequest,
	renderCapabilities: slackCapabilities,
	render: renderSlack,
};
