// Device pairing without HTTP: the login challenge, pending requests that lapse, approval and revocation,
// one-time links — over a real SQLite file with an injected clock, so expiry needs no waiting.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../pairing/audit.js';
import { createDevices, DeviceError, type Devices } from '../../pairing/devices/index.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { newTestDevice, type TestDevice } from './device-keys.js';

let dir: string;
let db: Db;
let now: number;
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(): Devices {
  dir = mkdtempSync(join(tmpdir(), 'sandgate-devices-'));
  db = openDatabase(join(dir, 'sandgate.db'));
  now = Date.UTC(2030, 0, 1);
  return createDevices({ db, clock: () => now });
}

async function login(devices: Devices, device: TestDevice, link?: string) {
  const c = await devices.challenge({ publicKey: device.publicKey, ...(link ? { link } : {}) });
  return devices.verify({
    deviceId: c.deviceId,
    nonce: c.nonce,
    signature: await device.sign(c.message),
    label: 'Test',
  });
}

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<DeviceError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof DeviceError) return err;
    throw err;
  }
  throw new Error('expected a DeviceError');
}

describe('device pairing', () => {
  it('a new device is pending until the CLI approves it; the session follows the device', async () => {
    const devices = setup();
    const login1 = await login(devices, await newTestDevice());
    expect(login1.device.state).toBe('pending');
    expect(login1.device.id).toMatch(/^[a-z2-7]{20}$/);
    expect(devices.session(login1.sessionSecret)?.device.state).toBe('pending');
    expect(devices.sessionAlive(devices.session(login1.sessionSecret)?.idHash ?? '')).toBe(false);

    devices.approve(
      login1.device.id
        .replace(/(.{5})/g, '$1-')
        .slice(0, -1)
        .toUpperCase(),
      { kind: 'cli' },
    );
    const s = devices.session(login1.sessionSecret);
    expect(s?.device.state).toBe('approved');
    expect(devices.sessionAlive(s?.idHash ?? '')).toBe(true);
    const audit = new AuditLog(db).list();
    expect(audit.map((e) => [e.action, e.subject, e.actor])).toEqual([
      ['device.approve', login1.device.id, 'cli'],
    ]);
  });

  it('the same key always gets the same id; another key another id', async () => {
    const devices = setup();
    const key = await newTestDevice();
    const a = await devices.challenge({ publicKey: key.publicKey });
    const b = await devices.challenge({ publicKey: key.publicKey });
    const c = await devices.challenge({ publicKey: (await newTestDevice()).publicKey });
    expect(a.deviceId).toBe(b.deviceId);
    expect(c.deviceId).not.toBe(a.deviceId);
    expect(a.nonce).not.toBe(b.nonce);
  });

  it('a pending request lapses after 10 minutes and cannot be approved then', async () => {
    const devices = setup();
    const l = await login(devices, await newTestDevice());
    now += 10 * 60_000;
    expect(devices.session(l.sessionSecret)?.device.state).toBe('expired');
    const err = await refusal(() => devices.approve(l.device.id, { kind: 'cli' }));
    expect(err.kind).toBe('wrong-state');
    expect(err.message).toContain('sign in on that device again');
  });

  it('forged, replayed and stale signatures are refused and change nothing', async () => {
    const devices = setup();
    const key = await newTestDevice();
    const other = await newTestDevice();

    const c1 = await devices.challenge({ publicKey: key.publicKey });
    const forged = await refusal(
      devices.verify({ deviceId: c1.deviceId, nonce: c1.nonce, signature: await other.sign(c1.message) }),
    );
    expect(forged.kind).toBe('bad-signature');
    expect(forged.status).toBe(401);
    // The nonce is spent by the forged attempt: even the right signature is refused now.
    const late = await refusal(
      devices.verify({ deviceId: c1.deviceId, nonce: c1.nonce, signature: await key.sign(c1.message) }),
    );
    expect(late.kind).toBe('nonce-used');

    const c2 = await devices.challenge({ publicKey: key.publicKey });
    const signature = await key.sign(c2.message);
    await devices.verify({ deviceId: c2.deviceId, nonce: c2.nonce, signature });
    const replay = await refusal(devices.verify({ deviceId: c2.deviceId, nonce: c2.nonce, signature }));
    expect(replay.kind).toBe('nonce-used');

    const c3 = await devices.challenge({ publicKey: key.publicKey });
    now += 2 * 60_000;
    const stale = await refusal(
      devices.verify({ deviceId: c3.deviceId, nonce: c3.nonce, signature: await key.sign(c3.message) }),
    );
    expect(stale.kind).toBe('nonce-expired');

    const wrongDevice = await devices.challenge({ publicKey: other.publicKey });
    const swapped = await refusal(
      devices.verify({
        deviceId: c2.deviceId,
        nonce: wrongDevice.nonce,
        signature: await key.sign(wrongDevice.message),
      }),
    );
    expect(swapped.kind).toBe('unknown-nonce');
    expect(devices.list()).toHaveLength(1);
  });

  it('a malformed key or id is a bad request', async () => {
    const devices = setup();
    expect((await refusal(devices.challenge({ publicKey: 'not a key!' }))).status).toBe(400);
    expect(
      (await refusal(devices.challenge({ publicKey: Buffer.alloc(91).toString('base64url') }))).status,
    ).toBe(400);
    expect((await refusal(() => devices.approve('nope', { kind: 'cli' }))).kind).toBe('bad-request');
  });

  it('revocation ends sessions at once and bars the token path; a one-time link re-admits', async () => {
    const devices = setup();
    const key = await newTestDevice();
    const l = await login(devices, key);
    devices.approve(l.device.id, { kind: 'dashboard', deviceId: 'aaaaaaaaaaaaaaaaaaaa' });
    const idHash = devices.session(l.sessionSecret)?.idHash ?? '';
    const r = devices.revoke(l.device.id, { kind: 'cli' });
    expect(r.sessionsClosed).toBe(1);
    expect(devices.session(l.sessionSecret)).toBeUndefined();
    expect(devices.sessionAlive(idHash)).toBe(false);
    expect((await refusal(devices.challenge({ publicKey: key.publicKey }))).kind).toBe('revoked');

    const { secret } = devices.createLink();
    const back = await login(devices, key, secret);
    expect(back.via).toBe('link');
    expect(back.device.state).toBe('approved');
  });

  it('a one-time link approves the device that uses it, once, within 10 minutes', async () => {
    const devices = setup();
    const link = devices.createLink();
    const first = await login(devices, await newTestDevice(), link.secret);
    expect(first.device.state).toBe('approved');
    const used = await refusal(login(devices, await newTestDevice(), link.secret));
    expect(used.kind).toBe('link-used');
    expect(used.status).toBe(410);

    const stale = devices.createLink();
    now += 10 * 60_000;
    const expired = await refusal(login(devices, await newTestDevice(), stale.secret));
    expect(expired.kind).toBe('link-expired');
    expect((await refusal(login(devices, await newTestDevice(), 'made-up'))).kind).toBe('unknown-link');
    expect(devices.list().map((d) => d.state)).toEqual(['approved']);
  });

  it('a link that expires between challenge and signature is refused', async () => {
    const devices = setup();
    const key = await newTestDevice();
    const link = devices.createLink();
    now += 9 * 60_000;
    const c = await devices.challenge({ publicKey: key.publicKey, link: link.secret });
    now += 90_000; // the nonce is still fresh (2 minutes), the link is not (10 minutes)
    const err = await refusal(
      devices.verify({ deviceId: c.deviceId, nonce: c.nonce, signature: await key.sign(c.message) }),
    );
    expect(err.kind).toBe('link-expired');
    expect(devices.list()).toHaveLength(0);
  });
});
