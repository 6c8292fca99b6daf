/**
 * Universal message → one SendGrid v3 `mail/send` body (providers.md §2.1). An email is a single API
 * call whatever the parts: text parts become the body, in order — `content` lists text/plain first (always
 * present) and text/html when a part is markdown or HTML (markdown is converted).
 *
 * Media: SendGrid attachments need the file inlined as base64, which a pure render cannot fetch, so
 * media are not declared as a capability and degrade.ts turns them into links in the body (reported).
 * A template part becomes `template_id` with its parameters as `dynamic_template_data`; the template
 * then supplies the content, so text parts beside it are reported as dropped, and further template parts
 * too (one template per mail). `custom_args.switchboard_id` = message id is echoed in every event.
 * Sender, subject, recipient and reply rules: see ../shared/email.ts.
 */
import type { Message, TemplatePart, TextPart } from '../../schema/message';
import type { Degradation, PlatformPayload, RenderCapabilities, RenderOptions } from '../types';
import { emailBody, emailRecipient, emailSender, emailSubject, replyHeaders, templateData } from '../shared/email';
import { SENDGRID } from './normalize';

export const SENDGRID_ENDPOINT = 'v3/mail/send';

type Report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void;

export const sendgridCapabilities: RenderCapabilities = {
	parts: new Set(['text', 'template']),
	textFormats: new Set(['plain', 'markdown', 'html']),
};

export function renderSendgrid(message: Message, options: RenderOptions, report: Report): PlatformPayload[] {
	const from = emailSender(SENDGRID, options);
	const to = emailRecipient(SENDGRID, message, options);
	const texts: TextPart[] = [];
	let template: TemplatePart | undefined;
	message.parts.forEach((part, partIndex) => {
		if (part.type === 'text') texts.push(part);
		else if (part.type === 'template' && !template) template = part;
		else if (part.type === 'template') report({ partIndex, from: 'template', to: 'dropped', reason: 'a SendGrid mail uses one template' });
		else report({ partIndex, from: part.type, to: 'dropped', reason: `SendGrid mail cannot carry ${part.type} content` });
	});
	const subject = emailSubject(SENDGRID, message, template !== undefined);

	const personalization: Record<string, unknown> = { to: [to] };
	const body: Record<string, unknown> = { personalizations: [personalization], from };
	if (subject !== undefined) body.subject = subject;
	if (template) {
		body.template_id = template.name;
		if (template.parameters.length > 0) personalization.dynamic_template_data = templateData(template);
		message.parts.forEach((part, partIndex) => {
			if (part.type === 'text') {
				report({ partIndex, from: 'text', to: 'dropped', reason: 'the SendGrid template supplies the mail content; put this text in a template parameter' });
			}
		});
	} else {
		const content = emailBody(texts);
		body.content = content.html === undefined
			? [{ type: 'text/plain', value: content.text }]
			: [
					{ type: 'text/plain', value: content.text },
					{ type: 'text/html', value: content.html },
				];
	}
	const headers = replyHeaders(message);
	if (headers) body.headers = headers;
	body.custom_args = { switchboard_id: message.id };
	return [{ endpoint: SENDGRID_ENDPOINT, contentType: 'application/json', body }];
}
