/**
 * SendGrid credential values → a checked config. Values come from a host vault as strings; every
 * check names the field and never echoes a value (the API key is a secret, and so is the webhook
 * verification key).
 */
import { InvalidProviderConfigError } from '../../errors';

export const SENDGRID_NAME = 'SendGrid';

export interface SendgridConfig {
	apiKey: string;
	/** A verified Sender Identity (single sender or authenticated domain). */
	fromEmail: string;
	fromName?: string;
	/** Only used by the Delivery Webhook (signed Event Webhook public key). */
	webhookVerificationKey?: string;
	/** Without a trailing slash. */
	baseUrl?: string;
}

/** Trimmed text, or undefined when absent/empty; anything but a string is refused. */
export function optionalText(provider: string, value: Record<string, unknown>, field: string): string | undefined {
	const raw = value[field];
	if (raw === undefined || raw === null) return undefined;
	if (typeof raw !== 'string') throw new InvalidProviderConfigError(provider, field, 'must be text');
	const trimmed = raw.trim();
	return trimmed === '' ? undefined : trimmed;
}

export function requiredText(provider: string, value: Record<string, unknown>, field: string, hint?: string): string {
	const text = optionalText(provider, value, field);
	if (text === undefined) throw new InvalidProviderConfigError(provider, field, 'is required', hint);
	return text;
}

/** A bare `name@domain` (the display name has its own field). */
export function emailAddress(provider: string, field: string, value: string): string {
	const at = value.indexOf('@');
	if (at <= 0 || at === value.length - 1 || /[\s<>,;"]/.test(value) || value.indexOf('@', at + 1) >= 0) {
		const hint = 'Write only the address, e.g. "no-reply@acme.example"; the name goes in its own field.';
		throw new InvalidProviderConfigError(provider, field, 'is not an email address', hint);
	}
	return value;
}

/** An http(s) URL without query or fragment, returned without its trailing slash. */
export function baseUrlOf(provider: string, value: Record<string, unknown>, example: string, field = 'baseUrl'): string | undefined {
	const text = optionalText(provider, value, field);
	if (text === undefined) return undefined;
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new InvalidProviderConfigError(provider, field, 'is not a URL', `Leave it empty for the public API, or write a full URL such as "${example}".`);
	}
	if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username || url.password) {
		const problem = 'must be an http(s) URL without query, fragment or user info';
		throw new InvalidProviderConfigError(provider, field, problem, 'Write only the scheme, host and optional path prefix.');
	}
	return text.replace(/\/+$/, '');
}

export function parseSendgridConfig(value: Record<string, unknown>): SendgridConfig {
	const apiKey = requiredText(SENDGRID_NAME, value, 'apiKey', 'Create an API key with the "Mail Send" permission in SendGrid → Settings → API Keys.');
	if (/\s/.test(apiKey)) {
		throw new InvalidProviderConfigError(SENDGRID_NAME, 'apiKey', 'contains spaces', 'Paste the key exactly as SendGrid showed it (it starts with "SG.").');
	}
	const fromHint = 'Use a verified Sender Identity from SendGrid → Settings → Sender Authentication.';
	const fromEmail = emailAddress(SENDGRID_NAME, 'fromEmail', requiredText(SENDGRID_NAME, value, 'fromEmail', fromHint));
	const config: SendgridConfig = { apiKey, fromEmail };
	const fromName = optionalText(SENDGRID_NAME, value, 'fromName');
	if (fromName !== undefined) config.fromName = fromName;
	const webhookVerificationKey = optionalText(SENDGRID_NAME, value, 'webhookVerificationKey');
	if (webhookVerificationKey !== undefined) config.webhookVerificationKey = webhookVerificationKey;
	const baseUrl = baseUrlOf(SENDGRID_NAME, value, 'https://api.eu.sendgrid.com');
	if (baseUrl !== undefined) config.baseUrl = baseUrl;
	return config;
}

/** The sender as the email renders take it (`Name <address>` or the bare address). */
export function senderOption(fromEmail: string, fromName: string | undefined): string {
	if (!fromName) return fromEmail;
	// parseAddress (core/platforms/shared/email.ts) splits on the last "<", so any name is safe here.
	return `${fromName} <${fromEmail}>`;
}
