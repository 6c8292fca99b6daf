/**
 * Twilio error code + HTTP status → a classified ProviderError (providers.md §1.3, §0.2). Pure: the
 * SDK's RestException and network errors are unpacked in ./client.ts and end up here.
 *
 * Twilio answers API errors as `{code, message, more_info, status}`; the code is the finer signal,
 * the HTTP status the fallback for codes not listed here.
 */
import { ProviderError, type ProviderErrorCategory } from '../../errors';
import { categoryOfStatus, isRetryableCategory } from '../shared/http';
import { TWILIO_PROVIDER_NAME } from './config';

/** The category a Twilio error code means, or undefined when the code is not one we know. */
export function twilioCodeCategory(code: number): ProviderErrorCategory | undefined {
	switch (code) {
		// The recipient cannot get this message: invalid, not mobile, opted out (STOP), unreachable.
		case 21211: // invalid To
		case 21612: // cannot route between From and To
		case 21614: // To is not a mobile number
		case 21610: // recipient replied STOP
		case 30004: // message blocked (by the handset / carrier for this recipient)
		case 30005: // unknown destination handset
		case 30006: // landline or unreachable carrier
		case 63003: // WhatsApp: address not found / not on WhatsApp
		case 63015: // WhatsApp sandbox: recipient has not joined
		case 63024: // WhatsApp: invalid recipient
			return 'recipient';
		// Outside WhatsApp's 24-hour customer-service window: only a template (ContentSid) may go.
		case 63016:
			return 'window';
		// The content is refused: fix it, a blind retry fails the same way.
		case 21602: // body required
		case 21617: // body over 1600 characters
		case 21619: // body or media required
		case 21620: // invalid media URL
		case 30007: // carrier filtered (spam / content)
		case 63013: // WhatsApp policy violation
			return 'content';
		// Throttling: not processed (20429) or per-channel/queue limits that clear with time.
		case 20429: // too many concurrent requests
		case 30001: // queue overflow
		case 63018: // WhatsApp channel rate limit
			return 'rate_limited';
		// Credentials.
		case 20003: // authentication failed
		case 20005: // account not active
			return 'auth';
		// Account or sender settings an admin must change.
		case 20404: // resource not found (wrong Account SID / Messaging Service)
		case 21408: // sending to this region not enabled (geo permissions)
		case 21606: // From is not a valid, capable sender
		case 21608: // trial account: destination not verified
		case 21659: // From is not a Twilio number
		case 21703: // Messaging Service has no senders
		case 30002: // account suspended
		case 30034: // unregistered A2P 10DLC sender
		case 63007: // WhatsApp: no sender for this From
			return 'config';
		// Delivery-stage errors that may clear: retry sparingly (the retry policy caps attempts).
		case 30003: // unreachable handset
		case 30008: // unknown carrier error
			return 'transient';
		default:
			return undefined;
	}
}

const HINTS: Readonly<Record<ProviderErrorCategory, string>> = {
	transient: 'Twilio or the network failed for a moment; the send is retried by the retry policy.',
	rate_limited: 'Twilio is throttling this account or sender; the send waits and retries. Lower the rate limit or concurrency if it keeps happening.',
	recipient: 'The recipient cannot receive this message (invalid, not mobile, opted out or not on WhatsApp). Do not retry; check the number.',
	content: 'Twilio refused the content (too long, empty, bad media or filtered). Change the message; retrying it unchanged fails again.',
	window: 'The WhatsApp 24-hour customer-service window is closed: only an approved template (Content SID, HX…) can be sent to this person now.',
	auth: 'Twilio rejected the Account SID / Auth Token. Open the Twilio credential and paste them again from the Twilio Console.',
	config: 'The Twilio account or sender is not set up for this message (sender, geo permissions, A2P registration, trial limits). An admin must fix it in the Twilio Console.',
	unknown: 'Twilio answered in a way Switchboard does not recognise; see the error code on twilio.com/docs/errors.',
};

export interface TwilioErrorInput {
	/** HTTP status, null when there was no response. */
	httpStatus: number | null;
	/** Twilio's numeric error code, when the body had one. */
	code?: number | string | null;
	/** Twilio's message (already redacted by the caller). */
	message?: string | null;
	retryAfterMs?: number | null;
}

/** Classifies a Twilio API error. The code wins; an unknown code falls back to the HTTP status. */
export function mapTwilioError(input: TwilioErrorInput): ProviderError {
	const raw = input.code === undefined || input.code === null || input.code === '' ? Number.NaN : Number(input.code);
	const code = Number.isFinite(raw) ? raw : undefined;
	const status = input.httpStatus;
	let category: ProviderErrorCategory = (code !== undefined ? twilioCodeCategory(code) : undefined) ?? (status === null ? 'unknown' : categoryOfStatus(status));
	// A 429 is throttling whatever code came with it; a 5xx is Twilio's side whatever the body says.
	if (status === 429) category = 'rate_limited';
	else if (status !== null && status >= 500 && category !== 'rate_limited') category = 'transient';
	const detail = input.message?.trim() || (status !== null ? `HTTP ${status}` : 'request failed');
	const tags = [code !== undefined ? `error ${code}` : undefined, status !== null ? `HTTP ${status}` : undefined].filter(Boolean).join(', ');
	return new ProviderError({
		provider: TWILIO_PROVIDER_NAME,
		category,
		retryable: isRetryableCategory(category),
		message: tags ? `${detail} (${tags})` : detail,
		providerCode: code ?? status,
		httpStatus: status,
		retryAfterMs: input.retryAfterMs ?? null,
		hint: HINTS[category],
	});
}
