/**
 * Teams and Google Chat authenticate their callbacks with JWTs signed by the platform's rotating keys:
 * - Teams (Bot Framework, providers.md §5.2): `Authorization: Bearer <JWT>` signed RS256 with keys
 *   published at https://login.botframework.com/v1/.well-known/openidconfiguration (issuer
 *   https://api.botframework.com, audience = the bot's App ID, `serviceUrl` claim = the activity's).
 * - Google Chat (§7.3): `Authorization: Bearer <JWT>` signed by chat@system.gserviceaccount.com (certs at
 *   https://www.googleapis.com/service_accounts/v1/metadata/x509/…), audience = project number or URL.
 *
 * Verifying either needs the current public keys fetched over the internet, and the core makes no
 * network calls of its own. So these platforms cannot be verified here: the request is refused with a
 * reason that says so, and an admin who accepts the risk switches verification off for that endpoint
 * (hosts then show the "unverified" warning) and protects it otherwise (a secret path, a proxy that
 * validates the token, an IP allow-list). Teams Workflows URLs are outbound only; nothing calls back.
 */
import { unauthorized, type VerifyResult } from './shared';

const WHY: Record<string, string> = {
	teams: 'Bot Framework tokens are JWTs signed with Microsoft keys that must be fetched over the internet',
	googlechat: 'Google Chat tokens are JWTs signed with Google keys that must be fetched over the internet',
};

export const UNVERIFIABLE_PLATFORMS: readonly string[] = Object.keys(WHY);

export function refuseUnverifiable(platform: string): VerifyResult {
	const why = WHY[platform] ?? 'its tokens are signed with keys that must be fetched over the internet';
	return unauthorized(
		`${platform} webhooks cannot be verified here: ${why}; switch verification off for this endpoint to accept them (and protect it another way)`,
	);
}
