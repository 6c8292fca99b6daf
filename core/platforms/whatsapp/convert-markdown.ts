/**
 * Markdown → WhatsApp's own markup: *bold*, _italic_, ~strike~, `code` and ```blocks```, "- " and
 * "1. " lists. Links have no markup on WhatsApp (they are detected in plain text), so
 * `[label](url)` becomes `label (url)`; headings become bold lines.
 *
 * Code is set aside first so nothing inside it is rewritten; bold is marked with a private
 * character while italics are converted, because WhatsApp's bold `*` is markdown's italic.
 */
const BOLD = '\u0001';
const CODE = '\u0002';

export function markdownToWhatsApp(markdown: string): string {
	const code: string[] = [];
	let text = markdown.replace(/```[\s\S]*?```|`[^`\n]+`/g, (match) => {
		code.push(match);
		return `${CODE}${code.length - 1}${CODE}`;
	});
	text = text
		.replace(/^(\s*)[*+]\s+/gm, '$1- ')
		.replace(/^#{1,6}\s+(.+?)\s*#*$/gm, `${BOLD}$1${BOLD}`)
		.replace(/!\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g, (_, alt: string, url: string) => (alt ? `${alt} (${url})` : url))
		.replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, (_, label: string, url: string) => (label === url ? url : `${label} (${url})`))
		.replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, `${BOLD}$2${BOLD}`)
		.replace(/(^|[^\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])/g, '$1_$2_')
		.replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '~$1~')
		.replace(new RegExp(BOLD, 'g'), '*');
	return text.replace(new RegExp(`${CODE}(\\d+)${CODE}`, 'g'), (_, i: string) => code[Number(i)]!);
}
