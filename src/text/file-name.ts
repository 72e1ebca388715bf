// File names from chats are untrusted: a path (`../../x`), newlines that forge lines in a model
// prompt, invisible characters, names longer than a file system takes (ENAMETOOLONG past 255 bytes).
// safeFileName turns any of them into one safe last path segment that fits on every file system.

import { cutUtf8 } from './cut.js';
import { normaliseInvisible } from './invisible.js';

/**
 * Most UTF-8 bytes of a sanitised name. Linux file systems allow 255 bytes per path segment; the
 * margin leaves room for a prefix a store adds (the local channel's `<uuid>-`, 37 bytes).
 */
export const FILE_NAME_MAX_BYTES = 200;
const EXTENSION_MAX_BYTES = 16;

/**
 * One safe path segment for `name`: the last segment only, control and format characters gone
 * (runs of them become one space), whitespace collapsed, a leading `-` made `_` (so it never reads
 * as a command-line option), at most `maxBytes` UTF-8 bytes with the extension kept. `fallback`
 * when nothing is left, or for `.` and `..`.
 */
export function safeFileName(name: string, fallback: string, maxBytes = FILE_NAME_MAX_BYTES): string {
  const last = normaliseInvisible(name).split(/[\\/]/).pop() ?? '';
  let clean = last
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^-/, '_');
  if (clean === '' || clean === '.' || clean === '..') return fallback;
  if (Buffer.byteLength(clean, 'utf8') > maxBytes) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 ? clean.slice(dot) : '';
    const extBytes = Buffer.byteLength(ext, 'utf8');
    clean =
      ext && extBytes <= EXTENSION_MAX_BYTES
        ? cutUtf8(clean.slice(0, dot), maxBytes - extBytes).trimEnd() + ext
        : cutUtf8(clean, maxBytes).trimEnd();
  }
  return clean === '' || clean === '.' || clean === '..' ? fallback : clean;
}

/** A file name as data inside a prompt or a reply: JSON-quoted, so it can never break the line. */
export function quotedFileName(name: string): string {
  return JSON.stringify(name);
}
