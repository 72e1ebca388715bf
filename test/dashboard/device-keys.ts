// Test support: a device keypair made with WebCrypto in Node, exactly as the browser makes one (ECDSA P-256,
// SPKI public key, P1363 signatures), so the server-side checks meet real signatures.

import { webcrypto } from 'node:crypto';

export interface TestDevice {
  publicKey: string;
  sign(message: string): Promise<string>;
}

export async function newTestDevice(): Promise<TestDevice> {
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]);
  const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', pair.publicKey));
  return {
    publicKey: spki.toString('base64url'),
    sign: async (message) =>
      Buffer.from(
        await webcrypto.subtle.sign(
          { name: 'ECDSA', hash: 'SHA-256' },
          pair.privateKey,
          new TextEncoder().encode(message),
        ),
      ).toString('base64url'),
  };
}
