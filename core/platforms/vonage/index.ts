/**
 * Vonage Messages API: one endpoint and one webhook format for SMS, MMS, WhatsApp, Messenger, Viber
 * and RCS.
 */
import type { ParsedRequest } from '../../request';
import { isRecord } from '../../util/object';
import type { Detection, PlatformAdapter } from '../types';
import { convertVonageRequest } from './normalize';
import { renderVonage, vonageCapabilities } from './render';

/** The `iss` claim of a Bearer JWT, read without verifying it (verification is the host's job). */
function jwtIssuer(authorization: string | undefined): string | undefined {
	if (!authorization || !authorization.startsWith('Bearer ')) return undefined;
	const parts = authorization.slice(7).trim().split('.');
	if (parts.length !== 3 || !parts[1]) return undefined;
	try {
		const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		return isRecord(claims) && typeof claims.iss === 'string' ? claims.iss : undefined;
	} catch {
		return undefined;
	}
}

function looksLikeVonage(value: unknown): boolean {
	return isRecord(value) && typeof value.message_uuid === 'string' && typeof value.channel === 'string';
}

/**
 * Signed Vonage webhooks carry a Bearer JWT issued by "Vonage"; unsigned ones are recognised by the
 * pair `message_uuid` + `channel`, which no other platform sends.
 */
export function detectVonage(request: ParsedRequest): Detection {
	const body = request.body;
	if (looksLikeVonage(body) || (Array.isArray(body) && looksLikeVonage(body[0]))) return { match: true };
	if (jwtIssuer(request.headers.authorization)?.startsWith('Vonage')) return { match: true };
	return { match: false, reason: 'no message_uuid + channel in the body and no Bearer JWT issued by Vonage' };
}

export const vonageAdapter: PlatformAdapter = {
	id: 'vonage',
	name: 'Vonage Messages API',
	channel: 'sms',
	detect: detectVonage,
	normalize: convertVonageRequest,
	renderCapabilities: vonageCapabilities,
	render: renderVonage,
};
