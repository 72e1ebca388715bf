// The server's "wait this long" on a 429/503, read once for every client: `retry-after-ms`
// (Anthropic, OpenAI), then `Retry-After` as delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
// Unreadable or absent values give undefined, never NaN; a date in the past gives 0.

/** Headers as the various SDKs hand them over: a fetch Headers, or a plain object (any case). */
export type HeaderSource =
  | Pick<Headers, 'get'>
  | Record<string, string | string[] | number | undefined | null>
  | undefined
  | null;

/** Milliseconds to wait, or undefined when the headers say nothing usable. `now`: ms since the epoch. */
export function parseRetryAfter(headers: HeaderSource, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0)
    return Number(ms);
  const value = header(headers, 'retry-after');
  return value === undefined ? undefined : retryAfterValueMs(value, now);
}

/** One Retry-After value (delta-seconds or HTTP-date) in ms; undefined when unreadable. */
export function retryAfterValueMs(value: string, now: number = Date.now()): number | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function header(headers: NonNullable<HeaderSource>, name: string): string | undefined {
  if (typeof (headers as Pick<Headers, 'get'>).get === 'function') {
    return (headers as Pick<Headers, 'get'>).get(name) ?? undefined;
  }
  const record = headers as Record<string, unknown>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const raw = key === undefined ? undefined : record[key];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
