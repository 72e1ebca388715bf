// Turning sandbox output into chat text: fenced blocks that cannot be broken out of, terminal noise
// (ANSI codes, control bytes) removed, and long output cut in the middle with a visible marker.

import { cutText, tailText } from '../text/cut.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal control sequences is the point
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes other than \t and \n are dropped
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

export function cleanOutput(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ANSI, '').replace(/\r/g, '\n').replace(CONTROL, '');
}

/** A code fence whose content cannot close it early. */
export function fence(text: string, lang = ''): string {
  const body = text.replace(/```/g, '``\u200b`');
  return `\`\`\`${lang}\n${body.endsWith('\n') ? body : `${body}\n`}\`\`\``;
}

/** Keep the start and (mostly) the end of long output; errors tend to be at the end. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = cutText(text, Math.floor(max / 3));
  const tail = tailText(text, max - Math.floor(max / 3));
  const omitted = text.slice(head.length, text.length - tail.length);
  const chars = [...omitted].length;
  const lines = omitted.split('\n').length - 1;
  return `${head}\n[… ${chars} characters${lines ? `, ${lines} lines` : ''} not shown …]\n${tail}`;
}

/** Code pasted into chat often arrives wrapped in a ```lang fence; take the inside. */
export function unfence(code: string): string {
  const m = /^\s*```[\w+-]*\n([\s\S]*?)\n?```\s*$/.exec(code);
  return m ? m[1]! : code.trim();
}

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}
