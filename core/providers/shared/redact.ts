/**
 * Removing secrets from text that reaches people (error messages and hints, which end up in logs and
 * node output). One algorithm for every provider; what differs is data (RedactionRules): the
 * secret-shaped patterns the provider knows (token prefixes, URL segments, query parameters), the mask,
 * and how short a credential value may be before replacing it would blank out ordinary words.
 */
import { ProviderError } from '../../errors';

export interface RedactionRules {
	/** Replaces each secret value. */
	mask: string;
	/** Values shorter than this are left alone (a 2-character "secret" would shred the text). */
	minLength: number;
	/** Applied first, in order, whatever the values: secret-shaped text the provider recognises. */
	patterns?: ReadonlyArray<readonly [pattern: RegExp, replacement: string]>;
	/** Also replace each value's URL-encoded form (secrets that travel in URLs or form bodies). */
	urlEncoded?: boolean;
}

/** `text` with the patterns and every (long enough) secret value replaced. */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>, rules: RedactionRules): string {
	let out = text;
	for (const [pattern, replacement] of rules.patterns ?? []) out = out.replace(pattern, replacement);
	for (const secret of secrets) {
		if (!secret || secret.length < rules.minLength) continue;
		for (const form of rules.urlEncoded ? new Set([secret, encodeURIComponent(secret)]) : [secret]) out = out.split(form).join(rules.mask);
	}
	return out;
}

/** The same ProviderError with `redact` applied to its message and hint; the same object when nothing changed. */
export function redactError(error: ProviderError, redact: (text: string) => string): ProviderError {
	const message = redact(error.message.replace(`${error.provider}: `, ''));
	const hint = error.hint === undefined ? undefined : redact(error.hint);
	if (`${error.provider}: ${message}` === error.message && hint === error.hint) return error;
	return rewordError(error, message, hint);
}

/** A copy of `error` (category, codes, wait) with another message and hint. `message` is without the "<provider>: " prefix. */
export function rewordError(error: ProviderError, message: string, hint = error.hint): ProviderError {
	return new ProviderError({
		provider: error.provider,
		category: error.category,
		retryable: error.retryable,
		message,
		providerCode: error.providerCode,
		httpStatus: error.httpStatus,
		retryAfterMs: error.retryAfterMs,
		hint,
	});
}
