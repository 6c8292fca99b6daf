/**
 * The universal message format: the one contract every Switchboard node and every microservice that
 * talks to us shares. This file is its only definition — TypeScript types come from `z.infer`, the
 * shipped JSON Schema from `z.toJSONSchema` (see ./json-schema.ts). Do not hand-write a parallel
 * interface anywhere else.
 *
 * Versioning: `schema` carries the version. Additive, optional fields keep v1; anything that changes
 * the meaning or shape of an existing field needs v2. Every object is non-strict (`z.looseObject`) so
 * a consumer on v1 accepts messages produced by a newer minor revision and unknown fields survive.
 */
import { z } from 'zod/v4';

export const MESSAGE_SCHEMA_ID = 'switchboard.message/v1' as const;
export const EVENT_SCHEMA_ID = 'switchboard.event/v1' as const;

/** Channels a message travels on. `custom` is for formats mapped declaratively (seed 004). */
export const CHANNELS = [
	'email',
	'sms',
	'mms',
	'whatsapp',
	'telegram',
	'slack',
	'teams',
	'googlechat',
	'messenger',
	'instagram',
	'rcs',
	'viber',
	'webchat',
	'custom',
] as const;
export const channelSchema = z.enum(CHANNELS).describe('The channel the message travels on.');

const isoUtc = z
	.string()
	.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/, 'must be an ISO 8601 UTC timestamp such as 2026-05-28T14:31:02.000Z')
	.describe('ISO 8601 timestamp in UTC (ends with Z).');

export const participantSchema = z
	.looseObject({
		id: z.string().min(1).describe('Platform identifier: phone number in E.164, email address, chat/user id, PSID…'),
		name: z.string().optional().describe('Display name, when the platform sends one.'),
		handle: z.string().optional().describe('Username or handle (Telegram @username, Slack user name).'),
		phone: z.string().optional(),
		email: z.string().optional(),
		isBot: z.boolean().optional(),
	})
	.describe('A person, bot, page or phone number taking part in a conversation.');

export const conversationSchema = z
	.looseObject({
		id: z.string().min(1).describe('Chat, channel, space or phone-pair id used to reply.'),
		type: z.enum(['direct', 'group', 'channel', 'thread']),
		threadId: z.string().optional().describe('Thread inside the conversation (Slack thread_ts, Telegram topic, Google Chat thread).'),
		name: z.string().optional(),
	})
	.describe('Where the message lives.');

// ---------------------------------------------------------------------------------------------------
// Content parts. A message is an ORDERED list of parts: mixed content (text + image + buttons) is normal.

export const TEXT_FORMATS = ['plain', 'markdown', 'html'] as const;
export const textPartSchema = z.looseObject({
	type: z.literal('text'),
	text: z.string(),
	format: z.enum(TEXT_FORMATS).default('plain'),
});

export const MEDIA_KINDS = ['image', 'video', 'audio', 'voice', 'document', 'sticker'] as const;
export const mediaPartSchema = z
	.looseObject({
		type: z.literal('media'),
		kind: z.enum(MEDIA_KINDS),
		url: z.string().optional().describe('Public or provider URL of the file.'),
		mediaId: z.string().optional().describe("The provider's own media id (WhatsApp media id, Telegram file_id)."),
		mimeType: z.string().optional(),
		filename: z.string().optional(),
		caption: z.string().optional(),
		size: z.number().int().nonnegative().optional().describe('Bytes.'),
		sha256: z.string().optional(),
	})
	.refine((part) => part.url !== undefined || part.mediaId !== undefined, {
		message: 'a media part needs a url or a mediaId',
		path: ['url'],
	});

export const locationPartSchema = z.looseObject({
	type: z.literal('location'),
	latitude: z.number().min(-90).max(90),
	longitude: z.number().min(-180).max(180),
	name: z.string().optional(),
	address: z.string().optional(),
	url: z.string().optional(),
});

export const contactSchema = z.looseObject({
	name: z.looseObject({
		formatted: z.string(),
		first: z.string().optional(),
		last: z.string().optional(),
	}),
	phones: z.array(z.looseObject({ phone: z.string(), type: z.string().optional(), waId: z.string().optional() })).default([]),
	emails: z.array(z.looseObject({ email: z.string(), type: z.string().optional() })).default([]),
	organization: z.string().optional(),
	urls: z.array(z.string()).default([]),
	birthday: z.string().optional(),
	vcard: z.string().optional(),
});
export const contactsPartSchema = z.looseObject({
	type: z.literal('contacts'),
	contacts: z.array(contactSchema).min(1),
});

export const BUTTON_ACTIONS = ['reply', 'url', 'call'] as const;
export const buttonSchema = z
	.looseObject({
		id: z.string().optional().describe('Payload returned when a reply button is pressed.'),
		title: z.string().min(1),
		action: z.enum(BUTTON_ACTIONS).default('reply'),
		url: z.string().optional(),
		phone: z.string().optional(),
	})
	.describe('A button: `reply` buttons come back as an interactive_reply part carrying their id.');
export const buttonsPartSchema = z.looseObject({
	type: z.literal('buttons'),
	text: z.string().optional().describe('Text shown with the buttons.'),
	buttons: z.array(buttonSchema).min(1),
});

export const quickRepliesPartSchema = z.looseObject({
	type: z.literal('quick_replies'),
	text: z.string().optional(),
	options: z
		.array(z.looseObject({ id: z.string(), title: z.string().min(1), imageUrl: z.string().optional() }))
		.min(1),
});

export const listPartSchema = z.looseObject({
	type: z.literal('list'),
	text: z.string().optional(),
	buttonText: z.string().optional().describe('Label of the button that opens the list (WhatsApp).'),
	sections: z
		.array(
			z.looseObject({
				title: z.string().optional(),
				rows: z.array(z.looseObject({ id: z.string(), title: z.string().min(1), description: z.string().optional() })).min(1),
			}),
		)
		.min(1),
});

export const cardPartSchema = z.looseObject({
	type: z.literal('card'),
	title: z.string().optional(),
	subtitle: z.string().optional(),
	text: z.string().optional(),
	imageUrl: z.string().optional(),
	fields: z.array(z.looseObject({ label: z.string(), value: z.string() })).default([]),
	buttons: z.array(buttonSchema).default([]),
});

export const TEMPLATE_COMPONENTS = ['header', 'body', 'button', 'footer'] as const;
export const templatePartSchema = z.looseObject({
	type: z.literal('template'),
	name: z.string().min(1).describe('Template name (WhatsApp), content SID (Twilio), template id (SendGrid/Brevo).'),
	language: z.string().optional().describe('Language code such as en_US.'),
	parameters: z
		.array(
			z.looseObject({
				component: z.enum(TEMPLATE_COMPONENTS).default('body'),
				name: z.string().optional().describe('Named parameter, when the template uses names instead of positions.'),
				index: z.number().int().nonnegative().optional().describe('Button index for button parameters.'),
				value: z.string(),
			}),
		)
		.default([]),
});

export const reactionPartSchema = z.looseObject({
	type: z.literal('reaction'),
	emoji: z.string().describe('The emoji; an empty string means the reaction was removed.'),
	targetMessageId: z.string().min(1).describe('Provider message id the reaction applies to.'),
});

export const INTERACTIVE_SOURCES = ['button', 'list', 'quick_reply', 'postback', 'card_action'] as const;
export const interactiveReplyPartSchema = z.looseObject({
	type: z.literal('interactive_reply'),
	id: z.string().describe('The id/payload of the button or list row chosen.'),
	title: z.string().optional(),
	description: z.string().optional(),
	source: z.enum(INTERACTIVE_SOURCES),
});

export const orderPartSchema = z.looseObject({
	type: z.literal('order'),
	catalogId: z.string().optional(),
	text: z.string().optional(),
	items: z
		.array(
			z.looseObject({
				productId: z.string(),
				quantity: z.number(),
				price: z.number().optional(),
				currency: z.string().optional(),
			}),
		)
		.min(1),
});

export const systemPartSchema = z
	.looseObject({
		type: z.literal('system'),
		event: z.string().describe('What happened: member_added, bot_added, number_changed, message_edited…'),
		text: z.string().optional(),
		data: z.record(z.string(), z.unknown()).optional(),
	})
	.describe('A conversation event that is not content (bot added to a space, user changed number).');

export const unsupportedPartSchema = z
	.looseObject({
		type: z.literal('unsupported'),
		platformType: z.string().optional().describe("The platform's own name for this content."),
		reason: z.string().optional(),
		original: z.unknown().describe('Exactly what the platform sent for this content.'),
	})
	.describe('Content we do not map yet, kept as sent so nothing is lost.');

export const partSchema = z.discriminatedUnion('type', [
	textPartSchema,
	mediaPartSchema,
	locationPartSchema,
	contactsPartSchema,
	buttonsPartSchema,
	quickRepliesPartSchema,
	listPartSchema,
	cardPartSchema,
	templatePartSchema,
	reactionPartSchema,
	interactiveReplyPartSchema,
	orderPartSchema,
	systemPartSchema,
	unsupportedPartSchema,
]);

export const PART_TYPES = [
	'text',
	'media',
	'location',
	'contacts',
	'buttons',
	'quick_replies',
	'list',
	'card',
	'template',
	'reaction',
	'interactive_reply',
	'order',
	'system',
	'unsupported',
] as const;

// ---------------------------------------------------------------------------------------------------

export const messageSchema = z
	.looseObject({
		schema: z.literal(MESSAGE_SCHEMA_ID),
		id: z.string().min(1).describe('Switchboard id. Normalized messages use "<platform>:<provider message id>" so repeats are recognisable.'),
		channel: channelSchema,
		provider: z.string().min(1).describe('Platform or provider the message came from or goes through (whatsapp, twilio, slack…).'),
		direction: z.enum(['inbound', 'outbound']),
		conversation: conversationSchema,
		sender: participantSchema.optional().describe('Who sent it. Optional on outbound messages: the provider credential decides.'),
		recipients: z.array(participantSchema).default([]),
		timestamp: isoUtc,
		parts: z.array(partSchema).min(1, 'a message needs at least one content part'),
		replyTo: z
			.looseObject({
				messageId: z.string().min(1).describe('Provider message id of the message replied to.'),
				senderId: z.string().optional(),
			})
			.optional(),
		providerMessageId: z.string().optional().describe("The provider's own id for this message (wamid, Twilio SID, Slack ts)."),
		metadata: z.record(z.string(), z.unknown()).default({}),
		raw: z.unknown().optional().describe('What the platform sent for this message, unchanged.'),
	})
	.describe('A Switchboard universal message (switchboard.message/v1).');

export const DELIVERY_STATUSES = [
	'queued',
	'sent',
	'delivered',
	'read',
	'failed',
	'bounced',
	'deferred',
	'opened',
	'clicked',
	'complained',
	'unsubscribed',
	'unknown',
] as const;
export const deliveryStatusSchema = z.enum(DELIVERY_STATUSES);

export const deliveryErrorSchema = z.looseObject({
	code: z.string().optional().describe("Provider's own error code, as a string."),
	message: z.string().optional(),
	retryable: z.boolean().optional().describe('Whether sending again may succeed. Absent when the provider gives no hint.'),
});

export const deliveryEventSchema = z
	.looseObject({
		schema: z.literal(EVENT_SCHEMA_ID),
		id: z.string().min(1).describe('Stable id of this event (provider event id, or derived from message id + status + time).'),
		channel: channelSchema,
		provider: z.string().min(1),
		providerMessageId: z.string().min(1).describe('Id of the message this event is about, as the provider sent it.'),
		status: deliveryStatusSchema,
		providerStatus: z.string().describe("The provider's own status word, unchanged (e.g. undelivered, hard_bounce)."),
		timestamp: isoUtc,
		recipient: z.string().optional(),
		error: deliveryErrorSchema.optional(),
		providerEventId: z.string().optional().describe('Provider event id for de-duplication (sg_event_id, Slack event_id…).'),
		metadata: z.record(z.string(), z.unknown()).default({}),
		raw: z.unknown().optional(),
	})
	.describe('A delivery status report about a message sent earlier (switchboard.event/v1).');

export type Channel = z.infer<typeof channelSchema>;
export type Participant = z.infer<typeof participantSchema>;
export type Conversation = z.infer<typeof conversationSchema>;
export type Part = z.infer<typeof partSchema>;
export type PartType = Part['type'];
export type PartOf<T extends PartType> = Extract<Part, { type: T }>;
export type TextPart = PartOf<'text'>;
export type MediaPart = PartOf<'media'>;
export type LocationPart = PartOf<'location'>;
export type ContactsPart = PartOf<'contacts'>;
export type Contact = z.infer<typeof contactSchema>;
export type Button = z.infer<typeof buttonSchema>;
export type ButtonsPart = PartOf<'buttons'>;
export type QuickRepliesPart = PartOf<'quick_replies'>;
export type ListPart = PartOf<'list'>;
export type CardPart = PartOf<'card'>;
export type TemplatePart = PartOf<'template'>;
export type ReactionPart = PartOf<'reaction'>;
export type InteractiveReplyPart = PartOf<'interactive_reply'>;
export type OrderPart = PartOf<'order'>;
export type SystemPart = PartOf<'system'>;
export type UnsupportedPart = PartOf<'unsupported'>;
export type MediaKind = MediaPart['kind'];
export type Message = z.infer<typeof messageSchema>;
/** A message as callers write it: defaults (format, recipients, metadata…) may be left out. */
export type MessageInput = z.input<typeof messageSchema>;
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;
export type DeliveryError = z.infer<typeof deliveryErrorSchema>;
export type DeliveryEvent = z.infer<typeof deliveryEventSchema>;
export type DeliveryEventInput = z.input<typeof deliveryEventSchema>;
