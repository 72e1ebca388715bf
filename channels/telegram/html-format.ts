// Markdown-ish agent output → Telegram HTML parse mode: ``` fences become <pre><code>, `x` becomes
// <code>, **x** bold and [label](https://…) links; everything else is escaped. An unclosed fence
// (a chunk split inside a code block) runs to the end. If Telegram still rejects it, the sender
// falls back to plain text.

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

export function toTelegramHtml(text: string): string {
  let out = '';
  let pos = 0;
  while (pos < text.length) {
    const open = text.indexOf('```', pos);
    if (open === -1) {
      out += inline(text.slice(pos));
      break;
    }
    out += inline(text.slice(pos, open));
    const header = /^([\w+#.-]*)[ \t]*\r?\n/.exec(text.slice(open + 3));
    const lang = header?.[1] ?? '';
    const start = open + 3 + (header ? header[0].length : 0);
    const close = text.indexOf('```', start);
    const code = text.slice(start, close === -1 ? text.length : close).replace(/\r?\n$/, '');
    out += lang
      ? `<pre><code class="language-${escapeAttr(lang)}">${escapeHtml(code)}</code></pre>`
      : `<pre><code>${escapeHtml(code)}</code></pre>`;
    pos = close === -1 ? text.length : close + 3;
  }
  return out;
}

const INLINE = /`([^`\n]+)`|\*\*([^*\n]+?)\*\*|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g;

function inline(segment: string): string {
  let out = '';
  let last = 0;
  for (const m of segment.matchAll(INLINE)) {
    out += escapeHtml(segment.slice(last, m.index));
    if (m[1] !== undefined) out += `<code>${escapeHtml(m[1])}</code>`;
    else if (m[2] !== undefined) out += `<b>${escapeHtml(m[2])}</b>`;
    else out += `<a href="${escapeAttr(m[4] ?? '')}">${escapeHtml(m[3] ?? '')}</a>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(segment.slice(last));
}
