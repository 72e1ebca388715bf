// The real Bot API decodes every string parameter as UTF-8 and refuses the call when it cannot
// ("strings must be encoded in UTF-8"): half a surrogate pair in a JSON string, or form bytes that
// are not UTF-8. The fake checks the same, so a careless cut fails in tests as it would in production.

import { INVALID_UTF8 } from './multipart.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** False when any string (nested in objects and arrays too) has a lone surrogate or a decoding error. */
export function wellFormedStrings(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value) && !value.includes(INVALID_UTF8);
  if (Array.isArray(value)) return value.every(wellFormedStrings);
  if (value && typeof value === 'object') return Object.values(value).every(wellFormedStrings);
  return true;
}
