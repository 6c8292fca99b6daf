/**
 * Microsoft Teams: Bot Framework activities in (providers.md §5.2); Bot Framework activities, Graph
 * chatMessages or Workflows webhook cards out (§5.1–5.3, options.variant).
 */
import type { ParsedRequest } from '../../request';
import { isRecord } from '../../util/object';
import type { Detection, PlatformAdapter } from '../types';
import { convertTeamsRequest } from './normalize';
import { renderTeams, teamsCapabilities } from './render';

/**
 * A Bot Framework activity from Teams names its channel (`channelId: "msteams"`) and the serviceUrl
 * to answer on. Outbound bodies (a proactive activity, a Workflows card, a Graph chatMessage) carry
 * neither, so they are not mistaken for inbound activities. Activities from other Bot Framework
 * channels (emulator, webchat) are read when the platform is named explicitly.
 */
export function detectTeams(request: ParsedRequest): Detection {
	const body = request.body;
	if (request.bodyKind === 'json' && isRecord(body) && body.channelId === 'msteams' && typeof body.type === 'string' && typeof body.serviceUrl === 'string' && isRecord(body.conversation)) {
		return { match: true };
	}
	return { match: false, reason: 'no Bot Framework activity with channelId "msteams" and a serviceUrl' };
}

export const teamsAdapter: PlatformAdapter = {
	id: 'teams',
	name: 'Microsoft Teams (Bot Framework)',
	channel: 'teams',
	detect: detectTeams,
	normalize: convertTeamsRequest,
	renderCapabilities: teamsCapabilities,
	render: renderTeams,
};
