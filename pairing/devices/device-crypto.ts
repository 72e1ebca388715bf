// Signature checks for device logins (ECDSA P-256 / SHA-256, the IEEE P1363 r||s form WebCrypto
// produces) and the random secrets of nonces, sessions and links, which are stored only as hashes.
// A malformed key or signature is "not verified", never an exception.

import { createHash, randomBytes, webcrypto } from 'node:crypto';

const P256_SPKI_LENGTH = 91;
const P256_SIGNATURE_LENGTH = 64;

/** What the browser signs: bound to this purpose, this nonce and this device. */
export function loginMessage(nonce: string, deviceId: string): string {
  return `sandgate-dashboard-login/v1\n${nonce}\n${deviceId}`;
}

export function decodeBase64url(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(value)) return undefined;
  return Buffer.from(value, 'base64url');
}

/** True when the bytes are an SPKI-encoded ECDSA P-256 public key. */
export async function isP256PublicKey(spki: Uint8Array): Promise<boolean> {
  if (spki.length !== P256_SPKI_LENGTH) return false;
  try {
    await webcrypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    return true;
  } catch {
    return false;
  }
}

export async function verifyLoginSignature(
  spki: Uint8Array,
  message: string,
  signature: Uint8Array,
): Promise<boolean> {
  if (signature.length !== P256_SIGNATURE_LENGTH) return false;
  try {
    const key = await webcrypto.subtle.importKey(
      'spki',
      spki,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    return await webcrypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      signature,
      new TextEncoder().encode(message),
    );
  } catch {
    return false;
  }
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
