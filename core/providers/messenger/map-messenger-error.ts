/**
 * Messenger Platform Send API error (Graph `error.code` + `error_subcode` + HTTP status) → category
 * (providers.md §8.2, §0.2). Instagram Direct uses the same family (../instagram/map-instagram-error.ts
 * adds its own subcodes first).
 */
import { classifyByStatus, classifyGraphCommonCode, type ErrorClass, type GraphError } from '../shared/graph';

/** Subcodes of (#10) that mean "outside the allowed messaging window". */
const WINDOW_SUBCODES = new Set([2018278, 2018108]);

export const MESSENGER_WINDOW_HINT =
	'More than 24 hours have passed since the person last wrote: only messages with a message tag can be sent now (e.g. HUMAN_AGENT, up to 7 days).';

export function mapMessengerError(error: GraphError | undefined, httpStatus: number): ErrorClass {
	const code = error?.code;
	const subcode = error?.subcode;
	if (code === undefined) return httpStatus === 429 ? { category: 'rate_limited' } : classifyByStatus(httpStatus);
	switch (code) {
		case 10:
			if (subcode !== undefined && WINDOW_SUBCODES.has(subcode)) return { category: 'window', hint: MESSENGER_WINDOW_HINT };
			break;
		case 100:
			if (subcode === 2018001) return { category: 'recipient', hint: 'No person with this id: use the page-scoped id (PSID) from a webhook of this page.' };
			break;
		case 551:
			return { category: 'recipient', hint: 'This person is not available: they may have blocked the page or deleted their account.' };
		case 1200: // temporary send failure
			return { category: 'transient' };
		case 200:
			if (subcode === 2018028) {
				return {
					category: 'config',
					hint: 'The app can only message its admins, developers and testers until the pages_messaging permission passes App Review.',
				};
			}
			break;
	}
	return classifyGraphCommonCode(code, error?.subcode) ?? (httpStatus === 429 ? { category: 'rate_limited' } : classifyByStatus(httpStatus));
}
