/**
 * Fitting text into send-API length limits, counted in UTF-16 units (what the Graph, Bot API and
 * Block Kit limits count) and never leaving half of a surrogate pair, so no emoji is split.
 *
 * Two split strategies, because the platforms' outputs differ and stay as they are:
 * - `splitText` (WhatsApp, Messenger, Instagram) cuts each chunk at its last line break, else its last
 *   space, when that lies in the second half of the chunk, and drops the one separator it cut at;
 * - `splitLines` (Telegram, Slack) packs whole lines into each chunk and hard-cuts only a line that is
 *   longer than a chunk on its own.
 * (Twilio's splitBody counts code points, as SMS segments do, and keeps every character.)
 */

/** Cuts `text` to at most `max` UTF-16 units without leaving half of a surrogate pair. */
export function clip(text: string, max: number): string {
	if (text.length <= max) return text;
	let end = max;
	const code = text.charCodeAt(end - 1);
	if (code >= 0xd800 && code <= 0xdbff) end -= 1;
	return text.slice(0, end);
}

/**
 * Splits text longer than the API allows into several messages, preferring a line break, then a
 * space, in the second half of each chunk; never splits a surrogate pair.
 */
export function splitText(text: string, max: number): string[] {
	if (text.length <= max) return [text];
	const chunks: string[] = [];
	let rest = text;
	while (rest.length > max) {
		const window = clip(rest, max);
		let cut = window.lastIndexOf('\n');
		if (cut < max / 2) cut = window.lastIndexOf(' ');
		if (cut < max / 2) cut = window.length;
		chunks.push(rest.slice(0, cut));
		rest = rest.slice(cut);
		if (rest.startsWith('\n') || rest.startsWith(' ')) rest = rest.slice(1);
	}
	if (rest !== '') chunks.push(rest);
	return chunks;
}

/** Splits long text at line ends (then hard) into pieces of at most `max` UTF-16 units. */
export function splitLines(text: string, max: number): string[] {
	if (text.length <= max) return [text];
	const out: string[] = [];
	let current = '';
	for (const line of text.split('\n')) {
		const candidate = current === '' ? line : `${current}\n${line}`;
		if (candidate.length <= max) {
			current = candidate;
			continue;
		}
		if (current !== '') out.push(current);
		let rest = line;
		while (rest.length > max) {
			const head = clip(rest, max);
			out.push(head);
			rest = rest.slice(head.length);
		}
		current = rest;
	}
	if (current !== '') out.push(current);
	return out;
}
