// A rough model of how the Bot API reads parse_mode HTML: supported tags must be balanced, a bare
// "<" is an error, known &entities; are decoded. Returns the text a user would see, or the error
// Telegram would answer ("can't parse entities: …").

const SUPPORTED = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'tg-emoji',
  'code',
  'pre',
  'blockquote',
]);

const TAG = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*>/;
const ENTITY = /^&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});/;

export function renderHtml(html: string): { text: string } | { error: string } {
  const open: string[] = [];
  let text = '';
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === '<') {
      const m = TAG.exec(html.slice(i));
      const offset = Buffer.byteLength(html.slice(0, i));
      if (!m) return { error: `Unsupported start tag "" at byte offset ${offset}` };
      const [whole, closing, rawName] = m;
      const name = (rawName ?? '').toLowerCase();
      if (!SUPPORTED.has(name)) return { error: `Unsupported start tag "${name}" at byte offset ${offset}` };
      if (closing) {
        if (open.pop() !== name) return { error: `Unexpected end tag at byte offset ${offset}` };
      } else {
        open.push(name);
      }
      i += whole.length;
      continue;
    }
    if (ch === '&') {
      const m = ENTITY.exec(html.slice(i));
      if (m) {
        text += decode(m[1] ?? '');
        i += m[0].length;
        continue;
      }
    }
    text += ch;
    i++;
  }
  const unclosed = open.pop();
  if (unclosed) return { error: `Can't find end tag corresponding to start tag "${unclosed}"` };
  return { text };
}

function decode(name: string): string {
  switch (name) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    default:
      return String.fromCodePoint(
        name.startsWith('#x') ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10),
      );
  }
}
