// Pairing codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I), crypto-random.
// People type them from a chat into a terminal, so input is normalised (case, spaces, dashes) before it is judged.

import { createHash, randomInt } from 'node:crypto';
import { normaliseInvisible } from '../src/text/invisible.js';

export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 8;
/** How long a pairing request (and its code) stays valid. */
export const CODE_TTL_MS = 60 * 60 * 1000;

const CODE_PATTERN = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** A fresh code; `pick(n)` returns an integer in [0, n) and defaults to crypto.randomInt. */
export function generateCode(pick: (n: number) => number = randomInt): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[pick(CODE_ALPHABET.length)];
  return code;
}

/** `abcd 2345`, `ABCD-2345` → `ABCD2345`; undefined when the result is not a well-formed code. */
export function normaliseCode(input: string): string | undefined {
  // Codes are pasted from chats: invisible characters (ZWSP, word joiner, BOM) go like spaces do,
  // the same normalisation the gateway applies to every inbound message.
  const code = normaliseInvisible(input)
    .replace(/[\s\-_]/g, '')
    .toUpperCase();
  return CODE_PATTERN.test(code) ? code : undefined;
}

/** Kept after the code itself is erased, so a used or expired code still gets a precise answer. */
export function hashCode(code: string): string {
  return createHash('sha256').update(`sandgate-pairing:${code}`).digest('hex');
}
