// This browser's device identity: an ECDSA P-256 keypair made with WebCrypto, the private key
// non-extractable (scripts can use it to sign but never read it), kept in IndexedDB across visits.
// The device id is derived from the public key exactly as the gateway does (pairing/devices/device-id.ts).

const DB_NAME = 'sandgate-dashboard';
const STORE = 'keys';
const KEY_NAME = 'device';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export class InsecureContextError extends Error {}

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function idb(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export function base64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base32(bytes) {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of new Uint8Array(bytes)) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

export function formatDeviceId(id) {
  return id.match(/.{1,5}/g)?.join('-') ?? id;
}

/** The stored keypair, made on first use. */
export async function deviceKeys() {
  if (!window.isSecureContext || !crypto?.subtle) {
    throw new InsecureContextError(
      'This browser cannot keep a device key here: open the dashboard over https, or on localhost / 127.0.0.1.',
    );
  }
  const db = await openDb();
  try {
    const existing = await idb(db, 'readonly', (s) => s.get(KEY_NAME));
    if (existing?.privateKey && existing?.publicKey) return existing;
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]);
    await idb(db, 'readwrite', (s) => s.put(pair, KEY_NAME));
    return pair;
  } finally {
    db.close();
  }
}

export async function publicKeyOf(pair) {
  const spki = await crypto.subtle.exportKey('spki', pair.publicKey);
  const digest = await crypto.subtle.digest('SHA-256', spki);
  return { publicKey: base64url(spki), deviceId: base32(digest).slice(0, 20) };
}

export async function signText(pair, text) {
  const sig = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    pair.privateKey,
    new TextEncoder().encode(text),
  );
  return base64url(sig);
}
