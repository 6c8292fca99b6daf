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

test('Brevo: a webhook username makes the token the Basic password; without one the token is a Bearer token', async () => {
	const { handleWebhook } = await import('../../../core/webhooks');
	const basic = webhookSecretsFrom({ brevo: { webhookUsername: ' hooks ', webhookToken: 's3cret' } });
	assert.deepEqual(basic.brevo, { username: 'hooks', password: 's3cret' });
	assert.deepEqual(webhookSecretsFrom({ brevo: { webhookToken: 's3cret' } }).brevo, { token: 's3cret' });
	// End to end through verification: Basic with the pair passes, a Bearer with the same token does not.
	const body = Buffer.from(JSON.stringify({ event: 'delivered', 'message-id': '<m1@smtp-relay.mailin.fr>', email: 'a@b.example', ts_event: 1700000000 }));
	const request = (authorization: string) => ({ method: 'POST', url: 'https://hooks.example/brevo', headers: { 'content-type': 'application/json', authorization }, rawBody: body });
	const ok = await handleWebhook(request(`Basic ${Buffer.from('hooks:s3cret').toString('base64')}`), { platform: 'brevo', secrets: basic });
	assert.equal(ok.response.status, 200, ok.reason ?? '');
	const wrongUser = await handleWebhook(request(`Basic ${Buffer.from('other:s3cret').toString('base64')}`), { platform: 'brevo', secrets: basic });
	assert.equal(wrongUser.response.status, 401);
	const bearer = await handleWebhook(request('Bearer s3cret'), { platform: 'brevo', secrets: basic });
	assert.equal(bearer.response.status, 401);
});
