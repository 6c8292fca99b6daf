/**
 * Vonage Messages API error (RFC 7807 problem JSON) + HTTP status → a classified ProviderError
 * (providers.md §9.2, §0.2). Pure.
 *
 * The problem's `type` ends in a fragment naming the error: a number from the Messages error list
 * (`…/api-errors/messages-olympus#1120`) or a generic slug (`…/api-errors#unauthorized`). Numbers
 * follow Vonage's published Messages API error table. Note: providers.md §9.2 calls #1010 "Rate Limit
 * Hit", but Vonage's table lists 1010 as "Missing params"; a real throttle comes as HTTP 429 (always
 * rate_limited here, whatever the code) or #1000, so #1010 is treated as content.
 *
 * A 4xx without a known code, or with a generic parameter code (1020…), is read by what it names:
 * `invalid_parameters` naming `to`, or a title/detail about the recipient → recipient; about the
 * 24-hour window → window; else the code's or the status's category.
 */
import { z } from 'zod/v4';
import { ProviderError, type ProviderErrorCategory } from '../../errors';
import { categoryOfStatus, isRetryableCategory, parseJsonBody } from '../shared/http';
import { VONAGE_PROVIDER_NAME } from './config';

/** The parts of a problem document we read; anything else is ignored. */
export const vonageProblemSchema = z.looseObject({
	type: z.string().optional(),
	title: z.union([z.string(), z.number()]).optional(),
	detail: z.string().optional(),
	instance: z.string().optional(),
	invalid_parameters: z.array(z.looseObject({ name: z.string().optional(), reason: z.string().optional() })).optional(),
});
export type VonageProblem = z.infer<typeof vonageProblemSchema>;

/** The error's name from the `type` URL fragment: "1120", "unauthorized"… */
export function vonageErrorCode(problem: VonageProblem | undefined): string | undefined {
	const type = problem?.type;
	if (!type) return undefined;
	const hash = type.lastIndexOf('#');
	const code = hash >= 0 ? type.slice(hash + 1) : type.slice(type.lastIndexOf('/') + 1);
	return code.trim() || undefined;
}

/** The category a Messages API error code means, or undefined when the code is not one we know. */
export function vonageCodeCategory(code: string): ProviderErrorCategory | undefined {
	switch (code) {
		case '1000': // throttled: over the account's submission capacity
		case 'throttled':
		case 'rate-limit':
			return 'rate_limited';
		case '1030': // internal error
		case '1100': // communication failed
			return 'transient';
		case '1040': // invalid message, e.g. unrecognised number prefix
		case '1050': // number barred
		case '1170': // invalid or missing MSISDN [verify]
			return 'recipient';
		case '1010': // missing params
		case '1020': // invalid params
		case '1021': // invalid tag
		case '1022': // invalid template
		case '1090': // message too long
		case '1130': // invalid TTL
		case '1150': // invalid message class
			return 'content';
		case '1060': // account barred
		case '1070': // partner quota exceeded / no credit
		case '1080': // account not enabled for REST
		case '1120': // illegal sender address
		case '1140': // facility not allowed
		case '1160': // destination not on the (trial) allow list
		case 'low-balance':
		case 'account-suspended':
		case 'unprovisioned':
		case 'not-found':
			return 'config';
		case '1340': // WhatsApp: outside of the allowed (24-hour) window (fixtures/vonage-status-rejected.json)
			return 'window';
		case 'unauthorized':
		case 'forbidden':
		case 'invalid-api-key':
		case 'jwt-expired':
		case 'jwt-revoked':
		case 'invalid-signature':
			return 'auth';
		default:
			return undefined;
	}
}

const WINDOW = /24[- ]?hour|customer (care|service) window|outside (of )?(the )?(allowed |messaging |session )?window|re-?engagement/i;
const RECIPIENT = /\b(recipient|destination|msisdn|to number|phone number|not on whatsapp|not a whatsapp user|unreachable|barred|blocked)\b/i;

/** A 422 (or other 4xx) with no known code, read by what the problem names. */
function categoryOfText(problem: VonageProblem | undefined): ProviderErrorCategory | undefined {
	if (!problem) return undefined;
	const parameters = (problem.invalid_parameters ?? []).map((p) => `${p.name ?? ''} ${p.reason ?? ''}`);
	const text = [problem.title ?? '', problem.detail ?? '', ...parameters].join(' ');
	if (WINDOW.test(text)) return 'window';
	if ((problem.invalid_parameters ?? []).some((p) => p.name === 'to' || p.name?.startsWith('to.'))) return 'recipient';
	if (RECIPIENT.test(text)) return 'recipient';
	return undefined;
}

const HINTS: Readonly<Record<ProviderErrorCategory, string>> = {
	transient: 'Vonage or the network failed for a moment; the send is retried by the retry policy.',
	rate_limited: 'Vonage is throttling this account; the send waits and retries. Lower the rate limit if it keeps happening.',
	recipient: 'The recipient cannot receive this message (invalid or barred number, not on the channel). Do not retry; check the number.',
	content: 'Vonage refused the message content or parameters. Change the message; retrying it unchanged fails again.',
	window: 'The WhatsApp 24-hour customer-service window is closed: only an approved template can be sent to this person now.',
	auth: 'Vonage rejected the API key / secret. Open the Vonage credential and paste them again from the Vonage API Dashboard.',
	config: 'The Vonage account or sender is not set up for this message (balance, sender id, channel, allow-listed destinations). An admin must fix it in the Vonage Dashboard.',
	unknown: 'Vonage answered in a way Switchboard does not recognise; see the error type URL in the Vonage API error list.',
};

export interface VonageErrorInput {
	httpStatus: number;
	/** The raw response body (problem JSON, HTML from a gateway, or empty). */
	body: string;
	retryAfterMs?: number | null;
	/** Removes secrets from text taken from the response. */
	redact?: (text: string) => string;
}

/** Classifies a non-2xx Messages API answer. HTTP 429 and 5xx win; then the code; then the text; then the status. */
export function mapVonageError(input: VonageErrorInput): ProviderError {
	const parsed = vonageProblemSchema.safeParse(parseJsonBody(input.body));
	const problem = parsed.success ? parsed.data : undefined;
	const code = vonageErrorCode(problem);
	let category: ProviderErrorCategory;
	if (input.httpStatus === 429) category = 'rate_limited';
	else if (input.httpStatus >= 500) category = code === '1000' ? 'rate_limited' : 'transient';
	else {
		const byCode = code !== undefined ? vonageCodeCategory(code) : undefined;
		// Generic parameter errors (1020 "Invalid params") say which parameter: refine by it.
		const refinable = (byCode === undefined || byCode === 'content') && input.httpStatus !== 401 && input.httpStatus !== 402 && input.httpStatus !== 403;
		category = (refinable ? categoryOfText(problem) : undefined) ?? byCode ?? categoryOfStatus(input.httpStatus);
	}
	const redact = input.redact ?? ((t: string) => t);
	const title = problem?.title !== undefined ? String(problem.title) : undefined;
	const words = [title, problem?.detail].filter((w): w is string => typeof w === 'string' && w.trim() !== '').join(': ');
	const detail = redact(words || `HTTP ${input.httpStatus}`).slice(0, 500);
	return new ProviderError({
		provider: VONAGE_PROVIDER_NAME,
		category,
		retryable: isRetryableCategory(category),
		message: `${detail} (${code ? `error ${code}, ` : ''}HTTP ${input.httpStatus})`,
		providerCode: code ?? input.httpStatus,
		httpStatus: input.httpStatus,
		retryAfterMs: input.retryAfterMs ?? null,
		hint: HINTS[category],
	});
}
