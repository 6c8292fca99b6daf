import type { ProviderErrorCategory } from '../../errors';
import { categoryOfStatus } from '../shared/http';

/**
 * A Slack Web API error → category (providers.md §6.1, §0.2). Slack answers HTTP 200 with
 * `{ok: false, error: "<code>"}` for almost everything; only rate limiting comes as HTTP 429 (body
 * `ratelimited`, header Retry-After) and outages as 5xx. `status` is the HTTP status (200 for the
 * logical errors); a code this list does not know falls back to the status class, then 'unknown'.
 *
 * Auth problems (token wrong, revoked, lacking a scope) are 'auth'; settings an admin must change in
 * the workspace (restricted actions, token type) are 'config', and so is an HTTP 404 or
 * `unknown_method` (a wrong Base URL). `request_timeout` is Slack saying the
 * POST body arrived truncated: a retry may go through.
 */
export function mapSlackError(code: string, status: number): ProviderErrorCategory {
	switch (code) {
		case 'ratelimited':
		case 'rate_limited':
			return 'rate_limited';
		case 'internal_error':
		case 'fatal_error':
		case 'service_unavailable':
		case 'request_timeout':
			return 'transient';
		case 'channel_not_found':
		case 'is_archived':
		case 'not_in_channel':
		case 'user_not_found':
		case 'user_disabled':
		case 'cannot_dm_bot':
		case 'message_not_found':
		case 'thread_not_found':
			return 'recipient';
		case 'msg_too_long':
		case 'no_text':
		case 'invalid_blocks':
		case 'invalid_blocks_format':
		case 'too_many_attachments':
		case 'invalid_attachments':
		case 'invalid_metadata_format':
		case 'invalid_metadata_schema':
		case 'metadata_too_large':
		case 'invalid_name':
		case 'no_item_specified':
		case 'too_many_emoji':
		case 'too_many_reactions':
		case 'invalid_arguments':
		case 'invalid_arg_name':
		case 'invalid_array_arg':
		case 'invalid_charset':
		case 'invalid_form_data':
		case 'invalid_json':
		case 'json_not_object':
		case 'invalid_post_type':
		case 'missing_post_type':
			return 'content';
		case 'invalid_auth':
		case 'not_authed':
		case 'account_inactive':
		case 'token_revoked':
		case 'token_expired':
		case 'missing_scope':
		case 'no_permission':
		case 'ekm_access_denied':
			return 'auth';
		case 'restricted_action':
		case 'restricted_action_read_only_channel':
		case 'restricted_action_thread_only_channel':
		case 'restricted_action_non_threadable_channel':
		case 'not_allowed_token_type':
		case 'team_access_not_granted':
		case 'access_denied':
		case 'unknown_method':
			return 'config';
		default:
			if (status === 429) return 'rate_limited';
			// An HTTP 404 from a Web API host means the method URL is wrong (Base URL), not the channel.
			if (status === 404) return 'config';
			if (status !== 200 && status >= 400) return categoryOfStatus(status);
			return 'unknown';
	}
}

/** What to do about a Slack error, by category. */
export function slackErrorHint(category: ProviderErrorCategory, code: string): string {
	switch (category) {
		case 'rate_limited':
			return 'Slack asked to slow down (about 1 message per second per channel); the send is retried after Retry-After.';
		case 'transient':
			return 'Slack had a temporary problem; the send is retried by the retry policy.';
		case 'recipient':
			return code === 'not_in_channel'
				? 'Invite the app to the channel (/invite @your-app) or give it chat:write.public.'
				: 'The channel or user does not exist, is archived, or the app cannot reach it. Use a channel id (C…) or user id (U…) from this workspace.';
		case 'content':
			return 'Slack refused the message itself (too long, invalid blocks, no text, unknown emoji). Fix the message; retrying sends the same thing.';
		case 'auth':
			return code === 'missing_scope'
				? 'The bot token lacks a scope (chat:write; reactions:write for reactions). Add it in the app settings (OAuth & Permissions) and reinstall the app.'
				: 'The bot token is wrong, revoked or expired. Copy the Bot User OAuth Token (xoxb-…) into the Slack credential.';
		case 'config':
			return 'A workspace setting prevents this (restricted channel, token type). A Slack admin must change it.';
		default:
			return 'Slack answered with an error Switchboard does not know; check the message and the channel.';
	}
}
