import assert from 'node:assert/strict';
import { test } from 'node:test';
import { webhookSecretValues, webhookSecretsFrom } from '../../../core/webhooks/secrets';

test('credential values → webhook secrets: one field per scheme, trimmed, blanks ignored', () => {
	const secrets = webhookSecretsFrom({
		twilio: { accountSid: 'AC1', authToken: ' tok ' },
		sendgrid: { webhookVerificationKey: 'MFk' },
		slack: { signingSecret: 'sig' },
		telegram: { secretToken: '' },
		brevo: { webhookToken: 'bt' },
		vonage: { signatureSecret: 'vs' },
	});
	assert.deepEqual(secrets, { twilio: { authToken: 'tok' }, sendgrid: { verificationKey: 'MFk' }, slack: { signingSecret: 'sig' }, brevo: { token: 'bt' }, vonage: { signatureSecret: 'vs' } });
	assert.deepEqual(webhookSecretValues(secrets).sort(), ['MFk', 'bt', 'sig', 'tok', 'vs']);
});

test("Meta: an endpoint for one product uses that product's credential; auto uses the first set", () => {
	const values = { messenger: { appSecret: 'm-secret', verifyToken: 'm-verify' }, instagram: { appSecret: 'i-secret' } };
	assert.deepEqual(webhookSecretsFrom(values).meta, { appSecret: 'm-secret', verifyToken: 'm-verify' });
	assert.deepEqual(webhookSecretsFrom(values, 'instagram').meta, { appSecret: 'i-secret' });
	assert.equal(webhookSecretsFrom(values, 'whatsapp').meta, undefined);
});
