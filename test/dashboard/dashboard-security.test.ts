// The dashboard's HTTP surface against the real gateway process, as an attacker or a confused client
// would meet it: no token, wrong token, forged / replayed / stale signatures, expired and reused one-time
// links, mutations without the CSRF token or from another origin, a revoked device's cookie and open
// stream, and the login rate limit. Every refusal has a clear status and changes nothing.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevices } from '../../pairing/devices/index.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { type GatewayProcess, runCli, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';
import { newTestDevice, type TestDevice } from './device-keys.js';
import { cookieFetch } from './helpers.js';

let home: ReturnType<typeof tempHome>;
let gw: GatewayProcess;
let token: string;
let db: Db;

type Client = ReturnType<typeof cookieFetch>;

beforeAll(async () => {
  home = tempHome('sandgate-dashboard-sec-');
  token = 'test-gateway-token-0123456789abcdef';
  gw = await startGatewayProcess(home.home, { SANDGATE_GATEWAY_TOKEN: token });
  db = openDatabase(join(home.home, 'sandgate.db'), { migrate: false });
}, 60_000);

afterAll(async () => {
  db?.close();
  await gw?.stop();
  home?.cleanup();
});

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

async function challenge(c: Client, body: Record<string, string>) {
  const res = await c('/dashboard/auth/challenge', json(body));
  return {
    status: res.status,
    body: (await res.json()) as {
      deviceId: string;
      nonce: string;
      message: string;
      error?: string;
      kind?: string;
    },
  };
}

async function verify(c: Client, body: { deviceId: string; nonce: string; signature: string }) {
  const res = await c('/dashboard/auth/verify', json(body));
  return {
    status: res.status,
    res,
    body: (await res.json()) as {
      device: { id: string; state: string };
      csrfToken: string;
      error?: string;
      kind?: string;
    },
  };
}

/** Signs in with the token (or a link); returns the client with its cookie and the CSRF token. */
async function signIn(key: TestDevice, creds: { token?: string; link?: string } = { token }) {
  const c = cookieFetch(gw.url);
  const ch = await challenge(c, { publicKey: key.publicKey, ...creds });
  expect(ch.status, ch.body.error).toBe(200);
  const v = await verify(c, {
    deviceId: ch.body.deviceId,
    nonce: ch.body.nonce,
    signature: await key.sign(ch.body.message),
  });
  expect(v.status, v.body.error).toBe(200);
  return { c, csrf: v.body.csrfToken, id: v.body.device.id, state: v.body.device.state };
}

let approved: { c: Client; csrf: string; id: string };

describe('dashboard sign-in and session security', () => {
  it('refuses everything without a session; serves the page with a strict CSP and no inline script', async () => {
    const c = cookieFetch(gw.url);
    for (const path of ['/dashboard/api/session', '/dashboard/api/overview', '/dashboard/api/events']) {
      expect((await c(path)).status).toBe(401);
    }
    const page = await c('/dashboard/');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|\son\w+=/);
    expect(html).not.toMatch(/https?:\/\//);
    expect((await c('/')).headers.get('location')).toBe('/dashboard/');

    const key = await newTestDevice();
    expect((await challenge(c, { publicKey: key.publicKey })).status).toBe(401);
    const wrong = await challenge(c, { publicKey: key.publicKey, token: 'wrong-token-wrong-token' });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'wrong gateway token' } });
    const crossSite = await c(
      '/dashboard/auth/challenge',
      json({ publicKey: key.publicKey, token }, { origin: 'http://evil.example' }),
    );
    expect(crossSite.status).toBe(403);
    expect((await challenge(c, { publicKey: 'bm90IGEga2V5', token })).status).toBe(400);
    expect(count('devices')).toBe(0);
  });

  it('forged and replayed signatures are refused; a pending device sees only its own state until approved', async () => {
    const key = await newTestDevice();
    const stranger = await newTestDevice();
    const c = cookieFetch(gw.url);

    const ch1 = await challenge(c, { publicKey: key.publicKey, token });
    const forged = await verify(c, {
      deviceId: ch1.body.deviceId,
      nonce: ch1.body.nonce,
      signature: await stranger.sign(ch1.body.message),
    });
    expect(forged).toMatchObject({ status: 401, body: { kind: 'bad-signature' } });
    const late = await verify(c, {
      deviceId: ch1.body.deviceId,
      nonce: ch1.body.nonce,
      signature: await key.sign(ch1.body.message),
    });
    expect(late).toMatchObject({ status: 401, body: { kind: 'nonce-used' } });
    expect(count('devices')).toBe(0);
    expect(count('device_sessions')).toBe(0);

    const ch2 = await challenge(c, { publicKey: key.publicKey, token });
    const body = {
      deviceId: ch2.body.deviceId,
      nonce: ch2.body.nonce,
      signature: await key.sign(ch2.body.message),
    };
    const ok = await verify(c, body);
    expect(ok.status).toBe(200);
    expect(ok.body.device.state).toBe('pending');
    const cookie = ok.res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^sandgate_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/dashboard/);
    expect(cookie).not.toMatch(/Secure/); // http://127.0.0.1: no https public URL here
    const replay = await verify(cookieFetch(gw.url), body);
    expect(replay).toMatchObject({ status: 401, body: { kind: 'nonce-used' } });
    expect(count('device_sessions')).toBe(1);

    const csrf = ok.body.csrfToken;
    expect((await (await c('/dashboard/api/session')).json()).device.state).toBe('pending');
    const blocked = await c('/dashboard/api/overview');
    expect(blocked.status).toBe(403);
    expect(await blocked.json()).toMatchObject({
      error: 'this device is waiting for approval',
      state: 'pending',
    });
    // A pending device cannot approve itself, CSRF token or not.
    const self = await c(
      `/dashboard/api/devices/${ok.body.device.id}/approve`,
      json({}, { 'x-csrf-token': csrf }),
    );
    expect(self.status).toBe(403);

    const cli = runCli(home.home, ['devices', 'approve', ok.body.device.id.toUpperCase()]);
    expect(cli.code, cli.stderr).toBe(0);
    expect((await c('/dashboard/api/overview')).status).toBe(200);
    approved = { c, csrf, id: ok.body.device.id };
  });

  it('a stale nonce is refused', async () => {
    const key = await newTestDevice();
    const c = cookieFetch(gw.url);
    const ch = await challenge(c, { publicKey: key.publicKey, token });
    db.prepare('UPDATE device_nonces SET expires_at = 1 WHERE device_id = ?').run(ch.body.deviceId);
    const stale = await verify(c, {
      deviceId: ch.body.deviceId,
      nonce: ch.body.nonce,
      signature: await key.sign(ch.body.message),
    });
    expect(stale).toMatchObject({ status: 401, body: { kind: 'nonce-expired' } });
    expect(db.prepare('SELECT 1 FROM devices WHERE id = ?').get(ch.body.deviceId)).toBeUndefined();
  });

  it('one-time links: an expired or used link is refused with 410 and approves nobody', async () => {
    const devices = createDevices({ db });
    const expired = devices.createLink();
    db.prepare('UPDATE dashboard_links SET expires_at = ? WHERE used_at IS NULL').run(Date.now() - 1000);
    const before = count('devices');
    const c = cookieFetch(gw.url);
    const refused = await challenge(c, {
      publicKey: (await newTestDevice()).publicKey,
      link: expired.secret,
    });
    expect(refused).toMatchObject({ status: 410, body: { kind: 'link-expired' } });
    expect(refused.body.error).toContain('sandgate dashboard');

    const fresh = devices.createLink();
    const first = await signIn(await newTestDevice(), { link: fresh.secret });
    expect(first.state).toBe('approved');
    const again = await challenge(c, { publicKey: (await newTestDevice()).publicKey, link: fresh.secret });
    expect(again).toMatchObject({ status: 410, body: { kind: 'link-used' } });
    expect(
      (await challenge(c, { publicKey: (await newTestDevice()).publicKey, link: 'made-up' })).status,
    ).toBe(401);
    expect(count('devices')).toBe(before + 1);
  });

  it('mutations need the CSRF token and the same origin; refusals change nothing', async () => {
    const { c, csrf } = approved;
    const add = (headers: Record<string, string>) =>
      c('/dashboard/api/allow/telegram/add', json({ entry: '555' }, headers));
    const listed = async () =>
      ((await (await c('/dashboard/api/allow')).json()) as { entries: { subject: string }[] }).entries.map(
        (e) => e.subject,
      );

    const missing = await add({});
    expect(missing.status).toBe(403);
    expect((await missing.json()).error).toContain('CSRF');
    expect((await add({ 'x-csrf-token': 'guess' })).status).toBe(403);
    expect((await add({ 'x-csrf-token': csrf, origin: 'http://evil.example' })).status).toBe(403);
    expect((await add({ 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await c('/dashboard/api/logout', json({}))).status).toBe(403);
    expect(await listed()).toEqual([]);
    expect((await c('/dashboard/api/session')).status).toBe(200);

    expect((await add({ 'x-csrf-token': csrf })).status).toBe(201);
    expect(await listed()).toEqual(['555']);
  });

  it('a chat post whose multipart body is malformed is answered 400 naming it, not 500', async () => {
    const { c, csrf } = approved;
    const res = await c('/dashboard/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz', 'x-csrf-token': csrf },
      body: '--xyz\r\nContent-Disposition: form-data; name="text"\r\n\r\nunterminated',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/multipart/);
  });

  it('run events stream live; revoking a device ends its open stream and its old cookie at once', async () => {
    const { c, csrf, id } = approved;
    const stream = await c('/dashboard/api/events');
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let text = '';
    let done = false;
    const pump = (async () => {
      try {
        for (;;) {
          const r = await reader.read();
          if (r.done) break;
          text += new TextDecoder().decode(r.value);
        }
      } catch {
        /* the connection dropped: also the end of the stream */
      }
      done = true;
    })();
    await waitFor(() => text.includes('event: ready'), 'the stream to open');

    const posted = await c(
      '/dashboard/api/chat',
      json({ text: '/sh echo live', conversation: 'sse' }, { 'x-csrf-token': csrf }),
    );
    expect(posted.status).toBe(202);
    await waitFor(
      () => /event: run-finish\ndata: \{[^\n]*"conversationKey":"local:sse"/.test(text),
      'run-start and run-finish of the chat message',
      20_000,
    );
    expect(text).toMatch(/event: run-start\ndata: \{[^\n]*"conversationKey":"local:sse"/);

    const revoked = runCli(home.home, ['devices', 'revoke', id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain('1 session ended');
    await waitFor(() => done, 'the open stream to be closed', 10_000);
    await pump;
    expect(text).toContain('event: end');

    const old = await c('/dashboard/api/overview');
    expect(old.status).toBe(401);
    expect((await c('/dashboard/api/session')).status).toBe(401);
    expect(db.prepare('SELECT state FROM devices WHERE id = ?').get(id)).toEqual({ state: 'revoked' });
  });

  it('the CLI: devices list --json; a malformed id is a usage error, an unknown one a failure', () => {
    const list = runCli(home.home, ['devices', 'list', '--json']);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { id: string; state: string }[];
    expect(rows.find((r) => r.id === approved.id)?.state).toBe('revoked');
    expect(runCli(home.home, ['devices', 'approve', 'not-an-id']).code).toBe(2);
    const unknown = runCli(home.home, ['devices', 'revoke', 'aaaaa-aaaaa-aaaaa-aaaaa']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no device aaaaa-aaaaa-aaaaa-aaaaa');
  });

  it('wrong tokens are rate limited per address: after 10 misses wrong ones wait, the right one still signs in', async () => {
    const key = await newTestDevice();
    const c = cookieFetch(gw.url);
    // Earlier tests already spent a few misses from this address; at most 10 fit in the window.
    let misses = 0;
    let status = 401;
    while (status === 401 && misses <= 10) {
      status = (await challenge(c, { publicKey: key.publicKey, token: `wrong-${misses}-xxxxxxxxxxxxxxxx` }))
        .status;
      if (status === 401) misses++;
    }
    expect(status).toBe(429);
    expect(misses).toBeLessThanOrEqual(10);
    const limited = await c(
      '/dashboard/auth/challenge',
      json({ publicKey: key.publicKey, token: 'wrong-again-xxxxxxxxxxxxxxxx' }),
    );
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.json()).error).toContain('too many failed sign-in attempts');
    const res = await c('/dashboard/auth/challenge', json({ publicKey: key.publicKey, token }));
    expect(res.status).toBe(200);
  });
  it('at shutdown an open event stream is ended and the gateway exits cleanly', async () => {
    // Signed in through pairing/devices directly: this address is rate limited by the test before.
    const devices = createDevices({ db });
    const key = await newTestDevice();
    const ch = await devices.challenge({ publicKey: key.publicKey, link: devices.createLink().secret });
    const login = await devices.verify({
      deviceId: ch.deviceId,
      nonce: ch.nonce,
      signature: await key.sign(ch.message),
    });
    const c = cookieFetch(gw.url);
    c.jar.set('sandgate_session', login.sessionSecret);
    const stream = await c('/dashboard/api/events');
    const reader = stream.body!.getReader();
    let text = '';
    const ended = (async () => {
      try {
        for (;;) {
          const r = await reader.read();
          if (r.done) return;
          text += new TextDecoder().decode(r.value);
        }
      } catch {
        /* dropped */
      }
    })();
    await waitFor(() => text.includes('event: ready'), 'the stream to open');
    const code = gw.stop('SIGTERM');
    await ended;
    expect(text).toContain('event: end');
    expect(await code).toBe(0);
  });
});
