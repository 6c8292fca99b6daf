/**
 * Slack names reactions by shortcode (`+1`, `heart`), the universal format by the emoji itself. This
 * is a deliberately small table of the reactions people actually use; names outside it stay
 * `:name:` inbound, and emoji outside it are reported (not guessed) outbound.
 */
const PAIRS: ReadonlyArray<readonly [string, string]> = [
	['👍', '+1'],
	['👎', '-1'],
	['❤️', 'heart'],
	['😂', 'joy'],
	['🤣', 'rolling_on_the_floor_laughing'],
	['😀', 'grinning'],
	['😃', 'smiley'],
	['😄', 'smile'],
	['😆', 'laughing'],
	['😊', 'blush'],
	['😉', 'wink'],
	['😍', 'heart_eyes'],
	['😎', 'sunglasses'],
	['😮', 'open_mouth'],
	['😢', 'cry'],
	['😭', 'sob'],
	['😡', 'rage'],
	['😠', 'angry'],
	['🤔', 'thinking_face'],
	['🙏', 'pray'],
	['👏', 'clap'],
	['🙌', 'raised_hands'],
	['👌', 'ok_hand'],
	['👋', 'wave'],
	['💪', 'muscle'],
	['🤝', 'handshake'],
	['👀', 'eyes'],
	['🔥', 'fire'],
	['🎉', 'tada'],
	['🚀', 'rocket'],
	['💯', '100'],
	['⭐', 'star'],
	['✅', 'white_check_mark'],
	['✔️', 'heavy_check_mark'],
	['❌', 'x'],
	['⚠️', 'warning'],
	['❓', 'question'],
	['💡', 'bulb'],
	['🐛', 'bug'],
	['🙂', 'slightly_smiling_face'],
];

const NAME_BY_EMOJI = new Map<string, string>();
const EMOJI_BY_NAME = new Map<string, string>();
for (const [emoji, name] of PAIRS) {
	NAME_BY_EMOJI.set(emoji, name);
	NAME_BY_EMOJI.set(emoji.replace(/\uFE0F/g, ''), name);
	EMOJI_BY_NAME.set(name, emoji);
}
// Aliases Slack also sends.
EMOJI_BY_NAME.set('thumbsup', '👍');
EMOJI_BY_NAME.set('thumbsdown', '👎');
EMOJI_BY_NAME.set('heavy_heart_exclamation_mark_ornament', '❣️');

/** `thumbsup::skin-tone-2` → 👍; unknown names → `:name:`. */
export function slackNameToEmoji(name: string): string {
	const base = name.split('::')[0]!;
	return EMOJI_BY_NAME.get(base) ?? `:${name}:`;
}

/**
 * The Slack reaction name for an emoji, a `:name:` shortcode, or a bare name; undefined when unknown.
 */
export function emojiToSlackName(emoji: string): string | undefined {
	const trimmed = emoji.trim();
	const shortcode = /^:([a-z0-9_+'-]+(?:::skin-tone-[2-6])?):$/.exec(trimmed);
	if (shortcode) return shortcode[1];
	if (/^[a-z0-9_+'-]+$/.test(trimmed)) return trimmed;
	return NAME_BY_EMOJI.get(trimmed) ?? NAME_BY_EMOJI.get(trimmed.replace(/\uFE0F/g, ''));
}
