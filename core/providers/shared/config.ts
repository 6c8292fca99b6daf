/**
 * Reading credential values, shared by every provider's `parseConfig` (types.ts: "Throws
 * InvalidProviderConfigError naming the field; never echoes a secret"). Values come from a host vault
 * or a Node-RED config node, normally as strings. Only the generic checks live here: text present or
 * absent, an http(s) URL, the optional Base URL field and where a call goes. Checks of a provider's
 * own value shapes (token formats, SIDs, sender ids) stay in the provider.
 *
 * No message built here quotes a value: any field may hold a secret (a webhook URL is one).
 */
import { InvalidProviderConfigError } from '../../errors';
import type { CredentialField, ProviderContext } from '../types';

/**
 * How a value that is not a string is read. The defaults refuse it ("must be text"). The providers
 * differ here on purpose and keep doing so:
 * - `numbers`: a number is read as its decimal text (Graph object ids and versions typed into a JSON
 *   config as numbers);
 * - `nonText: 'absent'`: anything else that is not a string counts as not filled in (the chat
 *   providers, whose hosts may hand over a placeholder object or boolean for an empty field).
 */
export interface TextRules {
	numbers?: boolean;
	nonText?: 'refuse' | 'absent';
}

/** The chat providers' reading (Telegram, Slack, Google Chat): a value that is not a string is "not filled in". */
export const CHAT_TEXT: TextRules = { nonText: 'absent' };

/** Trimmed text, or undefined when absent, null or blank (see TextRules for other types). */
export function optionalText(provider: string, raw: Record<string, unknown>, field: string, rules: TextRules = {}): string | undefined {
	const value = raw[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string' && !(rules.numbers && typeof value === 'number')) {
		if (rules.nonText === 'absent') return undefined;
		throw new InvalidProviderConfigError(provider, field, 'must be text');
	}
	const text = String(value).trim();
	return text === '' ? undefined : text;
}

/** Trimmed, non-empty text; throws "is required" naming the field (never the value). */
export function requiredText(provider: string, raw: Record<string, unknown>, field: string, hint?: string, rules: TextRules = {}): string {
	const text = optionalText(provider, raw, field, rules);
	if (text === undefined) throw new InvalidProviderConfigError(provider, field, 'is required', hint);
	return text;
}

export interface UrlRules {
	/** Shown when the value is not a URL at all: what to enter instead (an example URL of this provider). */
	hint?: string;
	/** A base URL is scheme, host and optional path prefix: refuse user info, a query or a fragment. */
	bare?: boolean;
	/** The URL itself is a secret (a webhook URL with its signature): returned exactly as entered. */
	secret?: boolean;
}

/**
 * An http(s) URL, returned without trailing slashes (a secret URL as entered, its query intact). The
 * messages never quote the value.
 */
export function httpUrl(provider: string, field: string, value: string, rules: UrlRules = {}): string {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new InvalidProviderConfigError(provider, field, 'is not a URL', rules.hint ?? 'Enter a full URL starting with https://.');
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidProviderConfigError(provider, field, 'must start with https:// or http://');
	if (rules.bare && (url.username || url.password || url.search || url.hash)) {
		throw new InvalidProviderConfigError(provider, field, 'must be an http(s) URL without query, fragment or user info', 'Write only the scheme, host and optional path prefix.');
	}
	return rules.secret ? value : value.replace(/\/+$/, '');
}

/** The optional `baseUrl` credential value, checked (see httpUrl); undefined when empty. */
export function optionalBaseUrl(provider: string, raw: Record<string, unknown>, rules: UrlRules & { text?: TextRules } = {}): string | undefined {
	const value = optionalText(provider, raw, 'baseUrl', rules.text);
	return value === undefined ? undefined : httpUrl(provider, 'baseUrl', value, rules);
}

/** The optional Base URL field every provider has, last in its list. */
export const baseUrlField: CredentialField = {
	name: 'baseUrl',
	displayName: 'Base URL',
	type: 'string',
	required: false,
	description: 'Leave empty for the public API. Set it for a regional endpoint or a test server.',
};

/**
 * Where a call goes: the send options' base URL (context: tests, the engine) first, then the
 * credential's, then the provider's public API; without trailing slashes.
 */
export function resolveBase(context: ProviderContext, configured: string | undefined, fallback: string): string {
	return (context.baseUrl ?? configured ?? fallback).replace(/\/+$/, '');
}
