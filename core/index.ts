/**
 * The host-free core of Switchboard. Imports nothing from n8n or Node-RED, reads no files and no
 * environment: hosts inject everything (test/core/boundary.test.ts enforces it).
 */
export * from './schema/message';
export { messageJsonSchema, eventJsonSchema } from './schema/json-schema';
export * from './errors';
export { parseRequest, parseForm, type InboundRequest, type ParsedRequest, type HeaderBag } from './request';
export { normalize, type NormalizeOptions, type NormalizeResult } from './normalize';
export { render, parseMessage, RENDER_PLATFORM_IDS, type RenderCallOptions } from './render';
export { degradeParts, markdownToPlain, htmlToPlain, mapLink } from './render/degrade';
export { PLATFORMS, PLATFORM_IDS, findPlatform } from './platforms/registry';
export { createCustomAdapter, parseCustomMapping, customMappingSchema, type CustomMapping } from './platforms/custom';
export type {
	PlatformAdapter,
	NormalizeOutput,
	Handshake,
	RenderOptions,
	RenderOutput,
	PlatformPayload,
	Degradation,
	RenderCapabilities,
} from './platforms/types';
// Schedule Queue: scheduled messages, approvals, claiming, retries and the delivery log.
export * from './queue';
// Channel Send: providers, routing, fallback, retries, rate limits, dry-run.
export { sendMessage, sendMany, sendClaimed, messageFromRow, isClaimedRow, InMemoryRateLimitStore, PostgresRateLimitStore, rateLimitStoreFor } from './send';
export type { SendOptions, SendResult, SendAttempt, ChannelRoute, ProviderAccount, RateLimitOptions, RateLimitStore, ClaimedSendResult } from './send';
export { PROVIDERS, PROVIDER_IDS, findProvider } from './providers/registry';
export type { ProviderDefinition, ProviderContext, ProviderSuccess, CredentialField, RateLimitRule, HttpClient, HttpRequest, HttpResponse } from './providers/types';
// Delivery Webhook: verified provider callbacks applied to the queue.
export { handleWebhook } from './webhooks';
export type { WebhookSecrets, WebhookRequest, WebhookOptions, WebhookResult, EventOutcome } from './webhooks/types';
// Approval links: signed, expiring approve / reject links for reviewers and the page behind them.
export { approvalLinks, draftsForDigest, handleApprovalRequest, signApprovalToken, verifyApprovalToken, assertApprovalSecret, MIN_SECRET_LENGTH, DEFAULT_TTL_MS as DEFAULT_APPROVAL_TTL_MS } from './approval';
export type { ApprovalDigest, ApprovalLink, ApprovalLinksOptions, ApprovalRequestOptions, ApprovalResponse, ApprovalHttpRequest, ApprovalDecision, ApprovalClaims, ApprovalAction } from './approval';
