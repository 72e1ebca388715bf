// The WhatsApp auth state survives a restart byte for byte: real Baileys creds (initAuthCreds) and
// real Signal key material go into SQLite and come back equal after the database is reopened, deleted
// keys stay deleted, and a wipe leaves an unlinked store that hands out fresh creds.

import { join } from 'node:path';
import {
  addTransactionCapability,
  BufferJSON,
  Curve,
  initAuthCreds,
  proto,
  signedKeyPair,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WhatsAppAuthStore } from '../../../channels/whatsapp/auth-store.js';
import { openDatabase } from '../../../src/store/db.js';
import { tempHome } from '../../helpers/temp-home.js';

const homes: ReturnType<typeof tempHome>[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) h.cleanup();
});

function dbFile(): string {
  const h = tempHome();
  homes.push(h);
  return join(h.home, 'sandgate.db');
}

/** What BufferJSON would write: equal encodings mean equal bytes in every Buffer/Uint8Array. */
const encoded = (v: unknown) => JSON.stringify(v, BufferJSON.replacer);

describe('WhatsApp auth store', () => {
  it('round-trips linked creds through a reopened database', () => {
    const file = dbFile();
    const db = openDatabase(file);
    const store = new WhatsAppAuthStore(db);
    expect(store.linkedAs()).toBeUndefined();
    const creds = initAuthCreds();
    // What pair-success and the first login add (validate-connection.ts: configureSuccessfulPairing).
    creds.me = { id: '15551234567:3@s.whatsapp.net', name: 'Owner', lid: '99887766:3@lid' };
    creds.account = proto.ADVSignedDeviceIdentity.fromObject({
      details: Buffer.from('details'),
      accountSignatureKey: Buffer.from(Curve.generateKeyPair().public),
      accountSignature: Buffer.alloc(64, 7),
      deviceSignature: Buffer.alloc(64, 9),
    });
    creds.routingInfo = Buffer.from([1, 2, 3, 250]);
    store.saveCreds(creds);
    db.close();

    const reopened = new WhatsAppAuthStore(openDatabase(file));
    const back = reopened.load().creds;
    expect(encoded(back)).toBe(encoded(creds));
    expect(Buffer.isBuffer(back.noiseKey.private)).toBe(true);
    expect(
      Buffer.from(back.signedIdentityKey.public).equals(Buffer.from(creds.signedIdentityKey.public)),
    ).toBe(true);
    expect(reopened.linkedAs()).toBe('15551234567:3@s.whatsapp.net');
  });

  it('does not count a pairing-code request (me set, no account) as linked', () => {
    const store = new WhatsAppAuthStore(openDatabase(dbFile()));
    const { creds } = store.load();
    creds.me = { id: '15551234567@s.whatsapp.net', name: '~' };
    store.saveCreds(creds);
    expect(store.linkedAs()).toBeUndefined();
  });

  it('stores Signal keys of every kind, in one transaction, and deletes on null', async () => {
    const file = dbFile();
    const db = openDatabase(file);
    const store = new WhatsAppAuthStore(db);
    const identity = Curve.generateKeyPair();
    const preKey = Curve.generateKeyPair();
    const session = Buffer.from('session record bytes');
    const appKey = proto.Message.AppStateSyncKeyData.fromObject({
      keyData: Buffer.alloc(32, 5),
      fingerprint: { rawId: 7, currentIndex: 1, deviceIndexes: [0, 1] },
      timestamp: 1_700_000_000,
    });
    // Through Baileys' own transaction wrapper, as makeWASocket uses the store.
    const keys = addTransactionCapability(store.load().keys, pino({ level: 'silent' }), {
      maxCommitRetries: 1,
      delayBetweenTriesMs: 1,
    });
    await keys.transaction(async () => {
      await keys.set({
        'pre-key': { '1': preKey, '2': Curve.generateKeyPair() },
        session: { '15551234567.0': session },
        'app-state-sync-key': { AAAA: appKey },
        'lid-mapping': { '15551234567': '99887766' },
        'sender-key-memory': { 'group@g.us': { '15551234567:0@s.whatsapp.net': true } },
      });
    }, 'test');
    await keys.set({ 'pre-key': { '2': null } });
    db.close();

    const again = new WhatsAppAuthStore(openDatabase(file)).load().keys;
    const pre = await again.get('pre-key', ['1', '2']);
    expect(Object.keys(pre)).toEqual(['1']);
    expect(encoded(pre['1'])).toBe(encoded(preKey));
    const sess = await again.get('session', ['15551234567.0']);
    expect(Buffer.from(sess['15551234567.0']!).equals(session)).toBe(true);
    const app = (await again.get('app-state-sync-key', ['AAAA'])).AAAA;
    expect(app).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(app!.keyData!).equals(Buffer.alloc(32, 5))).toBe(true);
    expect((await again.get('lid-mapping', ['15551234567']))['15551234567']).toBe('99887766');
    // A real signed pre-key over the stored identity still verifies after the round trip.
    const signed = signedKeyPair(identity, 1);
    const stored = new WhatsAppAuthStore(openDatabase(file));
    const c = stored.load().creds;
    Object.assign(c, { signedPreKey: signed, signedIdentityKey: identity });
    stored.saveCreds(c);
    const c2 = stored.load().creds;
    const signedPub = Buffer.concat([Buffer.from([5]), c2.signedPreKey.keyPair.public]);
    expect(Curve.verify(c2.signedIdentityKey.public, signedPub, c2.signedPreKey.signature)).toBe(true);
  });

  it('wipes creds and keys together; the next load is a fresh, unlinked identity', async () => {
    const store = new WhatsAppAuthStore(openDatabase(dbFile()));
    const first = store.load();
    first.creds.me = { id: '15551234567:1@s.whatsapp.net' };
    first.creds.account = proto.ADVSignedDeviceIdentity.fromObject({ details: Buffer.from('x') });
    store.saveCreds(first.creds);
    await first.keys.set({ session: { a: Buffer.from('s') } });
    expect(store.linkedAs()).toBeDefined();
    store.wipe();
    expect(store.linkedAs()).toBeUndefined();
    const fresh = store.load();
    expect(await fresh.keys.get('session', ['a'])).toEqual({});
    expect(encoded(fresh.creds.noiseKey)).not.toBe(encoded(first.creds.noiseKey));
    expect(fresh.creds.me).toBeUndefined();
  });
});
