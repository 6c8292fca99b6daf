/**
 * Approval links (issue 6): signed, expiring approve / reject links for reviewers, and the page behind
 * them. Host-free: the secret, the public URL, the clock and the queue are given by the caller; no
 * file system, no environment. See docs/approval.md.
 *
 *   const digest = approvalLinks(drafts, { baseUrl, secret, ttlMs: 72 * 3_600_000, now: new Date() });
 *   const page = await handleApprovalRequest({ method, query, body, headers }, { queue, secret, baseUrl });
 */
export {
	approvalLinks,
	draftsForDigest,
	type DigestDrafts,
	type ApprovalDigest,
	type ApprovalLink,
	type ApprovalLinksOptions,
	type Clock,
} from './links';
export {
	handleApprovalRequest,
	DEFAULT_APPROVER,
	LIST_PAGE_SIZE,
	type ApprovalDecision,
	type ApprovalHttpRequest,
	type ApprovalPageKind,
	type ApprovalRequestOptions,
	type ApprovalResponse,
} from './request';
export {
	signApprovalToken,
	verifyApprovalToken,
	assertApprovalSecret,
	MIN_SECRET_LENGTH,
	DEFAULT_TTL_MS,
	MAX_TTL_MS,
	MAX_TOKEN_LENGTH,
	type ApprovalAction,
	type ApprovalClaims,
	type SecretCheck,
	type TokenFailure,
	type VerifyResult,
} from './tokens';
export { escapeHtml } from './html';
