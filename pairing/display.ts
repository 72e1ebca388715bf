// Sender ids and names come from strangers: before they reach a terminal or a chat they are made safe
// (control and bidi characters escaped, very long values shortened). Stored values are never altered.

// C0/C1 controls, DEL, bidi embeddings/overrides/isolates, zero-width and BOM characters.
const UNSAFE = /[\p{Cc}\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

/** A one-line, terminal-safe rendering of an untrusted string, at most `max` characters (plus an ellipsis). */
export function safeText(value: string, max = 64): string {
  const escaped = value.replace(UNSAFE, (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`);
  const chars = [...escaped];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : escaped;
}

/** True when the string has characters a person could not see or type (used to refuse CLI input). */
export function hasControlChars(value: string): boolean {
  return /\p{Cc}/u.test(value);
}

/** `Alice (123456)`, or just the id when there is no name. */
export function describeSender(senderId: string, senderName: string): string {
  const id = safeText(senderId, 48);
  const name = senderName.trim() ? safeText(senderName.trim(), 40) : '';
  return name && name !== id ? `${name} (${id})` : id;
}

/** `58 min`, `2 h 5 min`, `expired`. */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'expired';
  const min = Math.ceil(ms / 60_000);
  if (min <= 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}
