// The one way sandgate cuts text: never inside a UTF-16 surrogate pair (half an emoji is a lone
// surrogate, which the Telegram Bot API refuses with "strings must be encoded in UTF-8" and a
// terminal shows as garbage) and never inside a UTF-8 sequence when the limit is in bytes.

const HIGH = (code: number) => code >= 0xd800 && code <= 0xdbff;
const LOW = (code: number) => code >= 0xdc00 && code <= 0xdfff;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The longest prefix of at most `max` UTF-16 code units that ends on a code-point boundary. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, Math.floor(max));
  if (end > 0 && HIGH(text.charCodeAt(end - 1)) && LOW(text.charCodeAt(end))) end -= 1;
  return text.slice(0, end);
}

/** The longest suffix of at most `max` UTF-16 code units that starts on a code-point boundary. */
export function tailText(text: string, max: number): string {
  if (text.length <= max) return text;
  let start = text.length - Math.max(0, Math.floor(max));
  if (start < text.length && LOW(text.charCodeAt(start)) && HIGH(text.charCodeAt(start - 1))) start += 1;
  return text.slice(start);
}

/** A code-point-safe index at or below `index` (for splitting at a computed position). */
export function safeIndex(text: string, index: number): number {
  const i = Math.max(0, Math.min(text.length, Math.floor(index)));
  return i > 0 && i < text.length && HIGH(text.charCodeAt(i - 1)) && LOW(text.charCodeAt(i)) ? i - 1 : i;
}

/** `text` cut to at most `max` code units including the `marker` (default "…") when it was cut. */
export function shorten(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  return cutText(text, Math.max(0, max - marker.length)) + marker;
}

/** The longest prefix whose UTF-8 encoding is at most `maxBytes` bytes, ending on a code point. */
export function cutUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  return cutUtf8Buffer(Buffer.from(wellFormed(text), 'utf8'), maxBytes).toString('utf8');
}

/** `text` cut to at most `maxBytes` UTF-8 bytes including `marker` when it was cut. */
export function shortenUtf8(text: string, maxBytes: number, marker = '…'): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  return cutUtf8(text, Math.max(0, maxBytes - Buffer.byteLength(marker, 'utf8'))) + marker;
}

/**
 * The first at most `maxBytes` bytes of UTF-8 data, without a trailing partial sequence (a
 * continuation byte run that its lead byte says is incomplete). Decoding the result never ends in U+FFFD
 * because of the cut.
 */
export function cutUtf8Buffer(data: Buffer, maxBytes: number): Buffer {
  if (data.length <= maxBytes) return data;
  return trimPartialUtf8(data.subarray(0, Math.max(0, Math.floor(maxBytes))));
}

/** `data` without a trailing incomplete UTF-8 sequence (a stream cut off by someone else). */
export function trimPartialUtf8(data: Buffer): Buffer {
  let end = data.length;
  // Walk back over at most 3 continuation bytes to the lead byte of the last sequence.
  let lead = end - 1;
  while (lead >= 0 && lead > end - 4 && ((data[lead] as number) & 0xc0) === 0x80) lead--;
  if (lead >= 0) {
    const b = data[lead] as number;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (lead + need > end) end = lead;
  }
  return data.subarray(0, end);
}

/** `data` without leading continuation bytes (the tail of a stream whose start was dropped). */
export function trimPartialUtf8Start(data: Buffer): Buffer {
  let start = 0;
  while (start < Math.min(3, data.length) && ((data[start] as number) & 0xc0) === 0x80) start++;
  return data.subarray(start);
}

/** Replaces lone surrogates (from a cut made elsewhere, or hostile input) with U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/** True when `text` has no lone surrogate (it can be encoded as UTF-8 as it is). */
export function isWellFormed(text: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return !LONE_SURROGATE.test(text);
}
