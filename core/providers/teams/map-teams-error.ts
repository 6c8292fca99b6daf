/**
 * Microsoft Teams errors → category (providers.md §5, §0.2), for the three calls the provider makes:
 * the Microsoft identity platform token request, the Microsoft Graph message post, and the Power
 * Automate Workflows webhook. Graph and Workflows answer `{error:{code,message}}`; the token endpoint
 * answers OAuth2 `{error, error_description, error_codes}`. The HTTP status decides first (Graph
 * codes are coarse words like "Forbidden"); codes refine it.
 */
import type { ErrorClass } from '../shared/graph';

/**
 * Graph refuses application (client-credentials) tokens for posting chat and channel messages except
 * for message import (migration): "Message POST is allowed in application-only context only for
 * import purposes".
 */
export const APP_ONLY_PATTERN = /application[- ]only context|import purposes|Teamwork\.Migrate/i;

export const APP_ONLY_HINT =
	'Microsoft Graph lets an app (client credentials) post chat and channel messages only to import history into a team in migration mode (Teamwork.Migrate.All). ' +
	'To post live messages use the "Workflows" mode (a Teams Workflows webhook), or a bot.';

export function mapTeamsGraphError(code: string | undefined, message: string | undefined, httpStatus: number): ErrorClass {
	if ((httpStatus === 401 || httpStatus === 403) && message !== undefined && APP_ONLY_PATTERN.test(message)) return { category: 'config', hint: APP_ONLY_HINT };
	switch (httpStatus) {
		case 429:
			return { category: 'rate_limited', hint: 'Microsoft Graph is throttling this app: the send waits for Retry-After. Lower the rate limit if it keeps happening.' };
		case 408:
		case 412: // precondition failed: Teams asks to retry
		case 500:
		case 502:
		case 503:
		case 504:
			return { category: 'transient' };
		case 401:
			return { category: 'auth', hint: 'The token was refused: check Tenant ID, Client ID and Client Secret (and that the secret has not expired).' };
		case 403:
			return {
				category: 'auth',
				hint: 'The app lacks permission for this chat or channel: an admin must grant the Graph permission (ChannelMessage.Send / ChatMessage.Send) and consent.',
			};
		case 404:
			return { category: 'recipient', hint: 'No such chat, team or channel (or the app cannot see it): check the id.' };
		case 400:
		case 413:
			return { category: 'content' };
	}
	if (code === 'TooManyRequests') return { category: 'rate_limited' };
	if (code === 'ServiceNotAvailable' || code === 'ServiceUnavailable' || code === 'serviceNotAvailable' || httpStatus >= 500) return { category: 'transient' };
	return { category: 'unknown' };
}

/** OAuth2 token errors (AADSTS codes) of the client-credentials request. */
export function mapTeamsTokenError(error: string | undefined, errorCodes: readonly number[], httpStatus: number): ErrorClass {
	if (httpStatus === 429) return { category: 'rate_limited' };
	if (httpStatus >= 500 || error === 'temporarily_unavailable' || error === 'server_error') return { category: 'transient' };
	// AADSTS90002 tenant not found, 900023 tenant id malformed, 700016 app not found in the tenant.
	if (errorCodes.includes(90002) || errorCodes.includes(900023)) return { category: 'config', hint: 'The tenant does not exist: check Tenant ID (Entra ID → Overview → Tenant ID).' };
	if (errorCodes.includes(700016)) return { category: 'config', hint: 'No app with this Client ID in the tenant: check Client ID (App registrations → Application (client) ID) and Tenant ID.' };
	switch (error) {
		case 'invalid_client':
		case 'unauthorized_client':
			return {
				category: 'auth',
				hint: 'The client secret is wrong or expired: create a new secret (App registrations → Certificates & secrets) and paste its Value, not its ID.',
			};
		case 'invalid_scope':
		case 'invalid_request':
			return { category: 'config' };
	}
	if (httpStatus === 401 || httpStatus === 403) return { category: 'auth' };
	if (httpStatus === 400) return { category: 'config' };
	return { category: 'unknown' };
}

/** Power Automate Workflows webhook errors. The URL is the credential: a 404 is a config problem, not a recipient. */
export function mapTeamsWorkflowError(code: string | undefined, httpStatus: number): ErrorClass {
	switch (httpStatus) {
		case 429:
			return { category: 'rate_limited', hint: 'Power Automate is throttling this flow: the send waits for Retry-After.' };
		case 408:
		case 500:
		case 502:
		case 503:
		case 504:
			return { category: 'transient' };
		case 401:
		case 403:
			return { category: 'auth', hint: 'The workflow URL was refused (its signature is wrong or was regenerated): copy the URL again from the flow’s trigger.' };
		case 404:
			return { category: 'config', hint: 'No flow at this URL: it was deleted or the URL is incomplete. Copy the URL again from the flow’s trigger.' };
		case 409:
			return { category: 'config', hint: 'The flow is turned off: turn it on in Power Automate.' };
		case 400:
		case 413:
			return { category: 'content', hint: 'The flow refused the body: its trigger expects an Adaptive Card message (type "message" with attachments).' };
	}
	if (code === 'WorkflowTriggerIsNotEnabled' || code === 'DisabledWorkflow') return { category: 'config', hint: 'The flow is turned off: turn it on in Power Automate.' };
	if (httpStatus >= 500) return { category: 'transient' };
	return { category: 'unknown' };
}
