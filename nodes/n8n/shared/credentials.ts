/**
 * The core describes each provider's credential once (ProviderDefinition.credentialFields, host-free);
 * this turns that description into n8n credential properties, so the n8n credential types
 * (credentials/Switchboard<Provider>Api.credentials.ts) and Node-RED's config nodes never drift apart.
 *
 * Mapping: `password` → a string with `typeOptions.password` (n8n masks and encrypts it); `options`
 * keeps its choices; fields used only by the Delivery Webhook say so in their description, so an
 * admin knows they are not needed to send. A credential may add display conditions per field (Teams:
 * client secret only in Graph mode).
 */
import type { ICredentialDataDecryptedObject, IDisplayOptions, INodeProperties } from 'n8n-workflow';
import type { CredentialField } from '../../../core/providers/types';

/** Said after the description of every webhook-only field. */
export const WEBHOOK_ONLY_NOTE = 'Only used to verify incoming webhooks (Delivery Webhook node); not needed to send.';

export interface CredentialPropertyOptions {
	/** Display conditions by field name, e.g. { clientSecret: { show: { mode: ['graph'] } } }. */
	displayOptions?: Record<string, IDisplayOptions>;
}

function defaultOf(field: CredentialField): INodeProperties['default'] {
	if (field.default !== undefined) return field.default;
	switch (field.type) {
		case 'number':
			return 0;
		case 'boolean':
			return false;
		case 'options':
			return field.options?.[0]?.value ?? '';
		default:
			return '';
	}
}

/** One CredentialField as an n8n credential property. */
export function credentialProperty(field: CredentialField, displayOptions?: IDisplayOptions): INodeProperties {
	const description = field.webhookOnly ? `${field.description.replace(/\s*$/, '')} ${WEBHOOK_ONLY_NOTE}` : field.description;
	const property: INodeProperties = {
		displayName: field.displayName,
		name: field.name,
		type: field.type === 'password' ? 'string' : field.type,
		default: defaultOf(field),
		description,
	};
	if (field.type === 'password') property.typeOptions = { password: true };
	if (field.required) property.required = true;
	if (field.placeholder) property.placeholder = field.placeholder;
	if (field.type === 'options') {
		property.options = (field.options ?? []).map((o) => ({ name: o.name, value: o.value, ...(o.description ? { description: o.description } : {}) }));
	}
	if (displayOptions) property.displayOptions = displayOptions;
	return property;
}

/** Every field of a provider's credential, in the core's order (Base URL last). */
export function credentialProperties(fields: readonly CredentialField[], options: CredentialPropertyOptions = {}): INodeProperties[] {
	return fields.map((field) => credentialProperty(field, options.displayOptions?.[field.name]));
}

/**
 * Credential data as the core's parseConfig expects it: the stored values, with empty strings
 * dropped (n8n stores untouched optional fields as '').
 */
export function credentialConfig(data: ICredentialDataDecryptedObject | undefined): Record<string, unknown> {
	const config: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(data ?? {})) {
		if (value === undefined || value === null) continue;
		if (typeof value === 'string' && value.trim() === '') continue;
		config[key] = value;
	}
	return config;
}

/** Every secret value of a credential (password fields), to redact from messages. */
export function credentialSecrets(fields: readonly CredentialField[], data: ICredentialDataDecryptedObject | undefined): string[] {
	const secrets: string[] = [];
	for (const field of fields) {
		const value = data?.[field.name];
		if (field.type === 'password' && typeof value === 'string' && value.trim() !== '') secrets.push(value, value.trim());
	}
	return secrets;
}
