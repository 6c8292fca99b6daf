/**
 * What the two approval operations share: the "Switchboard Approval Links" credential (signing
 * secret, public URL of the approval page, link lifetime), checked before anything is signed.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { assertApprovalSecret } from '../../../../core';
import { ParameterError } from './shared';

/** Credential type name (credentials/SwitchboardApprovalApi.credentials.ts). */
export const APPROVAL_CREDENTIAL = 'switchboardApprovalApi';
/** The operations that use it. */
export const APPROVAL_OPERATIONS = ['approvalLinks', 'approvalRequest'] as const;

const HOURS_MAX = 8784;

export interface ApprovalSettings {
	secret: string;
	baseUrl: string;
	ttlMs: number;
}

export const SECRET_FIELD = 'signingSecret';
export const SECRET_HINT =
	'Open the Switchboard Approval Links credential and set "Signing Secret" to a random text of at least 32 characters, e.g. the output of `openssl rand -base64 48`.';
export const BASE_URL_FIELD = 'baseUrl (Switchboard Approval Links credential)';

/** The credential's values, checked: the secret is ≥ 32 characters (the error names the field, never the value). */
export async function approvalSettings(this: IExecuteFunctions): Promise<ApprovalSettings> {
	const data = await this.getCredentials(APPROVAL_CREDENTIAL);
	const secret = typeof data.signingSecret === 'string' ? data.signingSecret : '';
	assertApprovalSecret(secret, { field: SECRET_FIELD, hint: SECRET_HINT });
	const baseUrl = typeof data.baseUrl === 'string' ? data.baseUrl.trim() : '';
	const raw = data.linkTtlHours === undefined || data.linkTtlHours === null || data.linkTtlHours === '' ? 72 : Number(data.linkTtlHours);
	if (!Number.isFinite(raw) || raw <= 0 || raw > HOURS_MAX) {
		throw new ParameterError(
			`"Link Lifetime (Hours)" of the Switchboard Approval Links credential must be between 1 and ${HOURS_MAX}, not ${String(data.linkTtlHours)}`,
			'Open the credential and enter how many hours links stay valid (default 72).',
		);
	}
	return { secret, baseUrl, ttlMs: Math.max(60_000, Math.round(raw * 3_600_000)) };
}
