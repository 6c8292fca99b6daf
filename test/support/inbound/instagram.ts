/**
 * Test-only: Instagram Direct delivers Messenger Platform shapes under `object: "instagram"`; see
 * ./messenger.ts for how a sent body becomes a webhook item.
 */
import type { PlatformPayload } from '../../../core/platforms/types';
import type { InboundRequest } from '../../../core/request';
import { deliverMessaging, type MessagingDeliverOptions } from './messenger';

export function deliverInstagram(payloads: readonly PlatformPayload[], options: Omit<MessagingDeliverOptions, 'object'> = {}): InboundRequest {
	return deliverMessaging(payloads, { pageId: '17841400000000001', ...options, object: 'instagram' });
}
