/**
 * Sending and verifying over the Vonage Messages API with the injected HTTP client (no Vonage SDK in
 * the package list; providers.md §9.2). Basic auth `apiKey:apiSecret`, JSON bodies as rendered by the
 * `vonage` platform, 202 `{message_uuid}` per message.
 */
import { z } from 'zod/v4';
import { ProviderError } from '../../errors';
import { callProvider, joinUrl, parseJsonBody, parseRetryAfter } from '../shared/http';
import { redactSecrets, type RedactionRules } from '../shared/redact';
import { afterPartialSend } from '../shared/send';
import type { ProviderContext, ProviderSuccess, SendInput } from '../types';
import { accountBase, messagesBase, VONAGE_PROVIDER_NAME, type VonageConfig } from './config';
import { mapVonageError } from './map-vonage-error';

const acceptedSchema = z.looseObject({ message_uuid: z.string().min(1) });
const balanceSchema = z.looseObject({ value: z.number(), autoReload: z.boolean().optional() });

/** The API secret (also URL-encoded) and the Basic credential built from it. */
const VONAGE_REDACTION: RedactionRules = { mask: '[redacted]', minLength: 4 };

interface Auth {
	header: string;
	redact: (text: string) => string;
}

function authOf(config: VonageConfig): Auth {
	const basic = Buffer.from(`${config.apiKey}:${config.apiSecret}`).toString('base64');
	const secrets = [config.apiSecret, encodeURIComponent(config.apiSecret), basic];
	return { header: `Basic ${basic}`, redact: (text) => redactSecrets(text, secrets, VONAGE_REDACTION) };
}

function unreadable(status: number, what: string): ProviderError {
	return new ProviderError({
		provider: VONAGE_PROVIDER_NAME,
		category: 'unknown',
		retryable: false,
		message: `answered HTTP ${status} ${what}`,
		providerCode: status,
		httpStatus: status,
		hint: 'Vonage may have accepted the message; check the Vonage Dashboard (Messages logs) before sending again.',
	});
}

export async function sendVonage(input: SendInput<VonageConfig>, context: ProviderContext): Promise<ProviderSuccess> {
	const auth = authOf(input.config);
	const base = messagesBase(input.config, context.baseUrl);
	const ids: string[] = [];
	for (const payload of input.payloads) {
		const response = await callProvider(VONAGE_PROVIDER_NAME, context, {
			method: 'POST',
			url: joinUrl(base, payload.endpoint),
			headers: { authorization: auth.header, 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify(payload.body),
		}).catch((error: unknown) => {
			throw afterPartialSend(error as ProviderError, ids, input.payloads.length);
		});
		if (response.status < 200 || response.status >= 300) {
			const failure = mapVonageError({
				httpStatus: response.status,
				body: response.body,
				retryAfterMs: parseRetryAfter(response.headers['retry-after'], context.now()),
				redact: auth.redact,
			});
			throw afterPartialSend(failure, ids, input.payloads.length);
		}
		const accepted = acceptedSchema.safeParse(parseJsonBody(response.body));
		if (!accepted.success) throw afterPartialSend(unreadable(response.status, 'without a message_uuid'), ids, input.payloads.length);
		ids.push(accepted.data.message_uuid);
	}
	const first = ids[0];
	if (first === undefined) throw unreadable(0, 'nothing: there was no payload to send');
	return { externalId: first, externalIds: ids, status: 'queued' };
}

/**
 * GET {account base}/account/get-balance with Basic auth (Vonage's Account API accepts Basic auth, so
 * the secret stays out of the URL). It reads nothing but the balance and proves the key/secret pair;
 * it cannot prove the sender or the Messages application settings. See `accountBase` for which host.
 */
export async function verifyVonage(config: VonageConfig, context: ProviderContext): Promise<{ account?: string }> {
	const auth = authOf(config);
	const response = await callProvider(VONAGE_PROVIDER_NAME, context, {
		method: 'GET',
		url: joinUrl(accountBase(config, context.baseUrl), 'account/get-balance'),
		headers: { authorization: auth.header, accept: 'application/json' },
	});
	if (response.status < 200 || response.status >= 300) {
		throw mapVonageError({
			httpStatus: response.status,
			body: response.body,
			retryAfterMs: parseRetryAfter(response.headers['retry-after'], context.now()),
			redact: auth.redact,
		});
	}
	const balance = balanceSchema.safeParse(parseJsonBody(response.body));
	if (!balance.success) throw unreadable(response.status, 'to the balance check with a body that is not a balance');
	return { account: config.apiKey };
}
