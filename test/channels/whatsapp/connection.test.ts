// The connection's life as the owner sees it in `sandgate channels status`: the reconnect policy for
// every DisconnectReason (restart at once, back off, wipe and ask for a new link, stop and report),
// linking by QR (rotating) or pairing code, an expired QR, and the transport liveness watchdog.

import { DisconnectReason } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it } from 'vitest';
import { statusCodeOf } from '../../../channels/whatsapp/disconnect-policy.js';
import { LivenessWatchdog } from '../../../channels/whatsapp/liveness.js';
import { waitFor } from '../../helpers/wait-for.js';
import { type ChannelRig, channelRig, OWNER, RecordingSink } from './helpers.js';

let rig: ChannelRig;
afterEach(async () => {
  await rig?.cleanup();
});

async function connected(opts: Parameters<typeof channelRig>[0] = {}) {
  rig = channelRig(opts);
  await rig.channel.start(new RecordingSink(), rig.controller.signal);
  const sock = await rig.wa.socket(1);
  sock.open(OWNER);
  expect(rig.channel.status().state).toBe('connected');
  return sock;
}

/** Absence of a reconnect: nothing new within many times the longest backoff of the rig (20 ms). */
async function noNewSocketAfter(count: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  expect(rig.wa.sockets).toHaveLength(count);
}

const BACKOFF_CASES: [string, number][] = [
  ['timedOut / connectionLost', DisconnectReason.timedOut],
  ['connectionClosed', DisconnectReason.connectionClosed],
  ['badSession', DisconnectReason.badSession],
  ['unavailableService', DisconnectReason.unavailableService],
  ['an unknown 5xx', 599],
];

const STOP_CASES: [string, number, RegExp][] = [
  ['connectionReplaced', DisconnectReason.connectionReplaced, /another WhatsApp Web session/],
  ['forbidden', DisconnectReason.forbidden, /refused this account/],
  ['multideviceMismatch', DisconnectReason.multideviceMismatch, /multi-device mismatch/],
];

describe('WhatsApp reconnect policy by DisconnectReason', () => {
  it('restartRequired (515) → reconnects at once, state connecting', async () => {
    const sock = await connected();
    sock.close(DisconnectReason.restartRequired, 'Stream Errored (restart required)');
    expect(rig.channel.status()).toMatchObject({ state: 'connecting' });
    expect(rig.channel.status().detail).toMatch(/asked for a restart/);
    const next = await rig.wa.socket(2);
    next.open(OWNER);
    expect(rig.channel.status().state).toBe('connected');
  });

  it.each(BACKOFF_CASES)(
    '%s → reconnects after a backoff, state connecting with the reason',
    async (_, code) => {
      const sock = await connected();
      sock.close(code, 'Connection Failure');
      const status = rig.channel.status();
      expect(status.state).toBe('connecting');
      expect(status.detail).toMatch(new RegExp(`Connection Failure, ${code}\\); retrying in \\d+s`));
      expect(status.lastError?.message).toBe('Connection Failure');
      const next = await rig.wa.socket(2);
      next.open(OWNER);
      expect(rig.channel.status().state).toBe('connected');
    },
  );

  it('loggedOut (401) → wipes the auth state, needs-login, no reconnect', async () => {
    const sock = await connected();
    expect(rig.auth.linkedAs()).toBe(OWNER.id);
    sock.close(DisconnectReason.loggedOut, 'Intentional Logout');
    expect(rig.channel.status()).toMatchObject({ state: 'needs-login' });
    expect(rig.channel.status().detail).toMatch(/logged out .*sandgate channels login whatsapp/);
    expect(rig.auth.linkedAs()).toBeUndefined();
    expect(rig.store.db.prepare('SELECT count(*) AS n FROM whatsapp_keys').get()).toEqual({ n: 0 });
    await noNewSocketAfter(1);
  });

  it.each(STOP_CASES)('%s → stops and reports, state error', async (_, code, reason) => {
    const sock = await connected();
    sock.close(code, 'Stream Errored (conflict)');
    const status = rig.channel.status();
    expect(status.state).toBe('error');
    expect(status.detail).toMatch(reason);
    expect(status.detail).toContain(String(code));
    // The device stays linked: only the owner's action (another session closed) can fix this.
    expect(rig.auth.linkedAs()).toBe(OWNER.id);
    await noNewSocketAfter(1);
  });

  it('a socket silent on the transport is ended as lost (408) and replaced; frames keep it alive', async () => {
    const sock = await connected({ livenessTimeoutMs: 60 });
    const next = await rig.wa.socket(2);
    expect(statusCodeOf(sock.endedWith)).toBe(DisconnectReason.connectionLost);
    expect(sock.endedWith?.message).toMatch(/no traffic from WhatsApp/);
    expect(next).not.toBe(sock);
  });
});

describe('the liveness watchdog', () => {
  it('counts transport frames, not messages: stale only after timeoutMs without any frame', () => {
    let now = 0;
    const stale: number[] = [];
    const dog = new LivenessWatchdog(
      100,
      (ms) => stale.push(ms),
      () => now,
    );
    now = 90;
    expect(dog.check()).toBe(false);
    dog.touch();
    now = 180;
    expect(dog.check()).toBe(false);
    now = 191;
    expect(dog.check()).toBe(true);
    expect(stale).toEqual([101]);
  });
});

describe('linking a device', () => {
  it('shows the QR, follows its rotation, and is connected after the scan and the restart WhatsApp asks for', async () => {
    rig = channelRig();
    await rig.channel.start(new RecordingSink(), rig.controller.signal);
    const sock = await rig.wa.socket(1);
    expect(rig.channel.status()).toMatchObject({ state: 'connecting' });
    sock.showQr('2@first-ref,noise,identity,adv');
    expect(rig.channel.status()).toMatchObject({
      state: 'needs-login',
      qr: '2@first-ref,noise,identity,adv',
    });
    sock.showQr('2@second-ref,noise,identity,adv');
    expect(rig.channel.status().qr).toBe('2@second-ref,noise,identity,adv');
    sock.scanned({ id: '15550001111:9@s.whatsapp.net' });
    expect(rig.channel.status().qr).toBeUndefined();
    sock.close(DisconnectReason.restartRequired, 'Stream Errored (restart required)');
    const linked = await rig.wa.socket(2);
    // The restarted socket was handed the stored creds of the new link.
    expect(linked.auth.creds.me?.id).toBe('15550001111:9@s.whatsapp.net');
    linked.open({ id: '15550001111:9@s.whatsapp.net' });
    expect(rig.channel.status()).toMatchObject({ state: 'connected', identity: '+15550001111' });
    expect(rig.auth.linkedAs()).toBe('15550001111:9@s.whatsapp.net');
  });

  it('an unscanned QR expiring leaves needs-login until the owner asks again', async () => {
    rig = channelRig();
    await rig.channel.start(new RecordingSink(), rig.controller.signal);
    const sock = await rig.wa.socket(1);
    sock.showQr('2@ref');
    sock.close(DisconnectReason.timedOut, 'QR refs attempts ended');
    expect(rig.channel.status()).toMatchObject({ state: 'needs-login' });
    expect(rig.channel.status().detail).toMatch(/expired unscanned/);
    await noNewSocketAfter(1);
    rig.channel.login();
    const again = await rig.wa.socket(2);
    again.showQr('2@new-ref');
    expect(rig.channel.status().qr).toBe('2@new-ref');
  });

  it('with a phone number, asks WhatsApp for a pairing code instead of showing a QR', async () => {
    rig = channelRig();
    await rig.channel.start(new RecordingSink(), rig.controller.signal);
    rig.channel.login({ phone: '+1 (555) 000-1111' });
    const sock = await rig.wa.socket(1);
    sock.showQr('2@ref');
    await waitFor(() => rig.channel.status().pairingCode, 'the pairing code');
    expect(sock.pairingRequests).toEqual(['15550001111']);
    expect(rig.channel.status()).toMatchObject({ state: 'needs-login', pairingCode: 'K7PQ4XWZ' });
    expect(rig.channel.status().qr).toBeUndefined();
  });
});
