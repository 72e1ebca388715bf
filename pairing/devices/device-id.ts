// A device's id is derived from its public key, so nobody can claim another device's id without its key.
// 20 base32 characters (100 bits of SHA-256 over the SPKI bytes): short enough to read aloud, far too
// many for a collision among a handful of devices or for grinding a look-alike id.

import { createHash } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
export const DEVICE_ID_LENGTH = 20;

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export function deviceIdFromPublicKey(spki: Uint8Array): string {
  return base32(createHash('sha256').update(spki).digest()).slice(0, DEVICE_ID_LENGTH);
}

/** `abcde-fghij-klmno-pqrst`: how ids are shown, so people can compare them group by group. */
export function formatDeviceId(id: string): string {
  return id.match(/.{1,5}/g)?.join('-') ?? id;
}

/** Accepts the shown form, any case, with dashes or spaces; undefined when it cannot be an id. */
export function normaliseDeviceId(input: string): string | undefined {
  const id = input.toLowerCase().replace(/[\s-]+/g, '');
  return id.length === DEVICE_ID_LENGTH && [...id].every((ch) => ALPHABET.includes(ch)) ? id : undefined;
}
