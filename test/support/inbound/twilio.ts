/**
 * Test-only: what Twilio POSTs to the receiving number's webhook when a message rendered for the Twilio
 * Messages API reaches a Twilio-hosted recipient — the §1.4 inbound form, built from the outbound form
 * fields. Media keep their URL (a real delivery re-hosts them under api.twilio.com) and get the
 * content type the file server would report for their extension, which is how Twilio learns it.
 */
import type { PlatformPayload } from '../../../core/platforms/types';
import type { InboundRequest } from '../../../core/request';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	png: 'image/png',
	mp4: 'video/mp4',
	mp3: 'audio/mpeg',
	ogg: 'audio/ogg',
	pdf: 'application/pdf',
};

export function contentTypeOf(url: string): string {
	const extension = url.slice(url.lastIndexOf('.') + 1).toLowerCase();
	return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

const ACCOUNT_SID = 'ACa1b2c3d4e5f60718293a4b5c6d7e8f90';
let counter = 0;

function sid(prefix: string): string {
	counter += 1;
	return `${prefix}${counter.toString(16).padStart(32, '0')}`;
}

function text(value: unknown, field: string): string {
	if (typeof value !== 'string') throw new Error(`deliverTwilio: ${field} is not a string`);
	return value;
}

/** One inbound webhook request per outbound payload, in order. */
export function deliverTwilio(payloads: readonly PlatformPayload[], sender = '+15005550123'): InboundRequest[] {
	return payloads.map((payload) => {
		const body = payload.body;
		const to = text(body.To, 'To');
		const whatsapp = to.startsWith('whatsapp:');
		const from = typeof body.From === 'string' ? body.From : whatsapp ? `whatsapp:${sender}` : sender;
		if (body.ContentSid !== undefined) throw new Error('deliverTwilio: a Content template is rendered by Twilio; the test double cannot deliver it');
		const media = Array.isArray(body.MediaUrl) ? (body.MediaUrl as string[]) : [];
		const form = new URLSearchParams();
		form.set('MessageSid', sid(media.length > 0 ? 'MM' : 'SM'));
		form.set('SmsSid', form.get('MessageSid')!);
		form.set('AccountSid', ACCOUNT_SID);
		form.set('From', from);
		form.set('To', to);
		form.set('SmsStatus', 'received');
		form.set('NumSegments', '1');
		form.set('ApiVersion', '2010-04-01');
		let messageType = media.length > 0 ? contentTypeOf(media[0]!).split('/')[0]! : 'text';
		const actions = Array.isArray(body.PersistentAction) ? (body.PersistentAction as string[]) : [];
		const geo = actions.find((a) => a.startsWith('geo:'));
		if (geo) {
			// A shared location arrives as coordinates + label, without the Body text.
			const [coordinates, label] = geo.slice(4).split('|');
			const [latitude, longitude] = coordinates!.split(',');
			form.set('Latitude', latitude!);
			form.set('Longitude', longitude!);
			if (label) form.set('Label', label);
			form.set('Body', '');
			messageType = 'location';
		} else {
			form.set('Body', typeof body.Body === 'string' ? body.Body : '');
		}
		form.set('NumMedia', String(media.length));
		media.forEach((url, i) => {
			form.set(`MediaUrl${i}`, url);
			form.set(`MediaContentType${i}`, contentTypeOf(url));
		});
		if (whatsapp) {
			form.set('WaId', from.replace('whatsapp:+', ''));
			form.set('ProfileName', 'Round Trip');
			form.set('MessageType', messageType === 'application' ? 'document' : messageType);
		}
		return {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: Buffer.from(form.toString(), 'utf8'),
		};
	});
}
