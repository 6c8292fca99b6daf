/**
 * Instagram Direct Send API error → category. The envelope and most codes are the Messenger
 * Platform's (providers.md §8.2); Instagram adds its own subcodes for the same situations.
 */
import type { ErrorClass, GraphError } from '../shared/graph';
import { MESSENGER_WINDOW_HINT, mapMessengerError } from '../messenger/map-messenger-error';

export function mapInstagramError(error: GraphError | undefined, httpStatus: number): ErrorClass {
	const code = error?.code;
	const subcode = error?.subcode;
	// [verify] Instagram's own subcodes as seen in Meta's messaging errors: 2534022 outside the window, 2534014 user not found.
	if (code === 10 && subcode === 2534022) return { category: 'window', hint: MESSENGER_WINDOW_HINT };
	if (code === 100 && subcode === 2534014) return { category: 'recipient', hint: 'No Instagram user with this id: use the Instagram-scoped id (IGSID) from a webhook.' };
	return mapMessengerError(error, httpStatus);
}
