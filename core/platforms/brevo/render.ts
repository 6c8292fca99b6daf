/**
 * Universal message → one Brevo `POST /v3/smtp/email` body (providers.md §9.1). An email is a single
 * API call: text parts become `textContent` (always) and `htmlContent` (when a part is markdown or
 * HTML), in order; media with a URL become `attachment: [{url, name?}]` (Brevo fetches them) and their
 * captions are written into the body where the media stood (reported); media with only a mediaId are
 * dropped (reported).
 *
 * A template part becomes `templateId` (the template name must be Brevo's numeric id) with its
 * parameters as `params` (by name, or position 1..n); Brevo then ignores textContent/htmlContent, so
 * text parts beside a template are reported as dropped. `headers['X-Mailin-custom']` = message id is
 * echoed in every webhook event, which ties events back to the message.
 * Sender, subject, recipient and reply rules: see ../shared/email.ts.
 */
import { RenderError } from '../../errors';
import type { Message, TemplatePart, TextPart } from '../../schema/message';
import { emailBody, emailRecipient, emailSender, emailSubject, replyHeaders, templateData } from '../shared/email';
import type { Degradation, PlatformPayload, RenderCapabilities, RenderOptions } from '../types';
import { BREVO } from './normalize';

export const BREVO_ENDPOINT = 'v3/smtp/email';

type Report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void;

export const brevoCapabilities: RenderCapabilities = {
	parts: new Set(['text', 'media', 'template']),
	textFormats: new Set(['plain', 'markdown', 'html']),
	mediaKinds: new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker']),
};

function templateId(part: TemplatePart, partIndex: number): number {
	const id = Number(part.name);
	if (!/^\d+$/.test(part.name) || !Number.isSafeInteger(id) || id <= 0) {
		throw new RenderError(BREVO, `parts[${partIndex}].name "${part.name}" is not a Brevo template id`, 'Brevo templates are numbered: use the template id, e.g. "12".');
	}
	return id;
}

export function renderBrevo(message: Message, options: RenderOptions, report: Report): PlatformPayload[] {
	const sender = emailSender(BREVO, options);
	const to = emailRecipient(BREVO, message, options);
	const texts: TextPart[] = [];
	const attachment: Array<Record<string, string>> = [];
	let template: { part: TemplatePart; index: number } | undefined;
	message.parts.forEach((part, partIndex) => {
		switch (part.type) {
			case 'text':
				texts.push(part);
				return;
			case 'media':
				if (!part.url) {
					return report({ partIndex, from: 'media', to: 'dropped', reason: 'Brevo attaches files by URL (or inline base64) and this part only has a mediaId' });
				}
				attachment.push(part.filename ? { url: part.url, name: part.filename } : { url: part.url });
				if (part.caption) {
					texts.push({ type: 'text', text: part.caption, format: 'plain' });
					report({ partIndex, from: 'media', to: 'attachment', reason: 'attached; attachments have no caption, so the caption is in the body' });
				}
				return;
			case 'template':
				if (!template) template = { part, index: partIndex };
				else report({ partIndex, from: 'template', to: 'dropped', reason: 'a Brevo email uses one template' });
				return;
			default:
				return report({ partIndex, from: part.type, to: 'dropped', reason: `Brevo email cannot carry ${part.type} content` });
		}
	});
	const subject = emailSubject(BREVO, message, template !== undefined);

	const body: Record<string, unknown> = { sender, to: [to] };
	if (subject !== undefined) body.subject = subject;
	if (template) {
		body.templateId = templateId(template.part, template.index);
		if (template.part.parameters.length > 0) body.params = templateData(template.part);
		message.parts.forEach((part, partIndex) => {
			if (part.type === 'text' || (part.type === 'media' && part.url && part.caption)) {
				report({ partIndex, from: part.type === 'text' ? 'text' : 'caption', to: 'dropped', reason: 'the Brevo template supplies the content; put this text in a template parameter' });
			}
		});
	} else if (texts.length > 0) {
		const content = emailBody(texts);
		if (content.html !== undefined) body.htmlContent = content.html;
		body.textContent = content.text;
	}
	if (!template && texts.length === 0) {
		// Brevo needs a body or a template: an email of attachments only lists their links as its body.
		body.textContent = attachment.map((a) => a.url).join('\n');
		report({ from: 'media', to: 'text', reason: 'Brevo needs a text or HTML body; the attachment links were written as the body' });
	}
	if (attachment.length > 0) body.attachment = attachment;
	body.headers = { 'X-Mailin-custom': message.id, ...replyHeaders(message) };
	return [{ endpoint: BREVO_ENDPOINT, contentType: 'application/json', body }];
}
