// The agents write Markdown; WhatsApp has its own marks (FAQ "How to format your messages"): *bold*,
// _italic_, ~strikethrough~, `inline code` and ``` blocks. **x** would show as literal stars around
// bold text, # headings and [label](url) as raw syntax. Code (fenced or inline) passes through
// untouched; a fence's language tag goes, since WhatsApp would print it as the block's first line.

const FENCE = /```[^\n`]*\n?([\s\S]*?)(?:```|$)/g;
const INLINE_CODE = /`[^`\n]+`/g;
/** Stands in for a bold star while italics are converted, so `*x*` from `**x**` is not read as italic. */
const BOLD = '\u0000';

export function toWhatsAppMarkdown(markdown: string): string {
  let out = '';
  let last = 0;
  for (const m of markdown.matchAll(FENCE)) {
    out += prose(markdown.slice(last, m.index));
    const body = (m[1] ?? '').replace(/\n$/, '');
    out += `\`\`\`\n${body}\n\`\`\``;
    last = m.index + m[0].length;
  }
  return out + prose(markdown.slice(last));
}

function prose(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(INLINE_CODE)) {
    out += marks(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + marks(text.slice(last));
}

function marks(text: string): string {
  return (
    text
      // ATX headings read best as a bold line.
      .replace(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm, `${BOLD}$1${BOLD}`)
      // Images and links: WhatsApp links bare URLs itself.
      .replace(/!?\[([^\]\n]*)\]\(([^)\s]+)\)/g, (_, label: string, url: string) =>
        label && label !== url ? `${label} (${url})` : url,
      )
      .replace(/\*\*(?=\S)([^*\n]+?)\*\*/g, `${BOLD}$1${BOLD}`)
      .replace(/__(?=\S)([^_\n]+?)__/g, `${BOLD}$1${BOLD}`)
      // Markdown *italic* (not a "* " bullet) becomes WhatsApp _italic_.
      .replace(/(^|[^\w*])\*(?=\S)([^*\n]+?)\*(?!\w)/g, '$1_$2_')
      .replace(/~~(?=\S)([^~\n]+?)~~/g, '~$1~')
      // Bullets: "* item" would start a bold run in WhatsApp.
      .replace(/^([ \t]*)[*+][ \t]+/gm, '$1- ')
      .replaceAll(BOLD, '*')
  );
}
