/**
 * What the email providers (SendGrid, Brevo) share about their credential: an API key, a verified
 * sender address and an optional display name, and how that sender reaches the email renderers.
 * The services differ in everything else (SDK vs REST, error bodies, webhook secrets).
 */
import { InvalidProviderConfigError } from '../../errors';
import type { CredentialField } from '../types';
import { optionalText, requiredText } from './config';
import type { RedactionRules } from './redact';

export interface EmailSender {
	apiKey: string;
	/** A sender address the service has verified. */
	fromEmail: string;
	fromName?: string;
}

/** Where to find the values, in the provider's own console words. */
export interface EmailSenderHints {
	/** Where to create the API key. */
	apiKey: string;
	/** How the key looks, for a key pasted with spaces in it. */
	apiKeyShape: string;
	/** Where the sender is verified. */
	fromEmail: string;
}

/** Error texts carry the API key (and any other value given) masked; the services have no recognisable token shapes to add. */
export const EMAIL_REDACTION: RedactionRules = { mask: '[redacted]', minLength: 4 };

/** A bare `name@domain` (the display name has its own field). */
export function emailAddress(provider: string, field: string, value: string): string {
	const at = value.indexOf('@');
	if (at <= 0 || at === value.length - 1 || /[\s<>,;"]/.test(value) || value.indexOf('@', at + 1) >= 0) {
		const hint = 'Write only the address, e.g. "no-reply@acme.example"; the name goes in its own field.';
		throw new InvalidProviderConfigError(provider, field, 'is not an email address', hint);
	}
	return value;
}

/** apiKey, fromEmail and fromName, checked; never echoes the key. */
export function parseEmailSender(provider: string, raw: Record<string, unknown>, hints: EmailSenderHints): EmailSender {
	const apiKey = requiredText(provider, raw, 'apiKey', hints.apiKey);
	if (/\s/.test(apiKey)) throw new InvalidProviderConfigError(provider, 'apiKey', 'contains spaces', hints.apiKeyShape);
	const fromEmail = emailAddress(provider, 'fromEmail', requiredText(provider, raw, 'fromEmail', hints.fromEmail));
	const sender: EmailSender = { apiKey, fromEmail };
	const fromName = optionalText(provider, raw, 'fromName');
	if (fromName !== undefined) sender.fromName = fromName;
	return sender;
}

/** The sender as the email renders take it (`Name <address>` or the bare address). */
export function senderOption(fromEmail: string, fromName: string | undefined): string {
	if (!fromName) return fromEmail;
	// parseAddress (core/platforms/shared/email.ts) splits on the last "<", so any name is safe here.
	return `${fromName} <${fromEmail}>`;
}

/** renderOptions of an email provider: the credential's sender. */
export function emailRenderOptions(config: EmailSender): { from: string } {
	return { from: senderOption(config.fromEmail, config.fromName) };
}

/** senderKey of an email provider: the sender address (addresses compare case-insensitively). */
export function emailSenderKey(config: EmailSender): string {
	return config.fromEmail.toLowerCase();
}

export const fromNameField: CredentialField = {
	name: 'fromName',
	displayName: 'From Name',
	type: 'string',
	required: false,
	description: 'Name shown with the sender address (optional).',
	placeholder: 'Acme',
};
