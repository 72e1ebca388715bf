// The overview draws WhatsApp's link QR as an image in a real browser (Chromium via playwright-core)
// and replaces it when WhatsApp rotates the code, then shows the channel connected once linked. The
// gateway runs in this process so its WhatsApp channel can use the socket seam (a real socket cannot
// get a QR from anything but WhatsApp); the dashboard, its routes and the sign-in are the real ones.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerType } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalChannel } from '../../channels/local/local-channel.js';
import { createDevices } from '../../pairing/devices/index.js';
import { createPairing } from '../../pairing/index.js';
import { validateConfig } from '../../src/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { createDashboardRoutes } from '../../src/http/dashboard/index.js';
import { closeServer, createHttpApp, listen } from '../../src/http/server.js';
import { type ChannelRig, channelRig, OWNER, silentLog } from '../channels/whatsapp/helpers.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'dashboard');
const TOKEN = 'dashboard-qr-test-token-0123456789';

let rig: ChannelRig;
let gateway: Gateway;
let server: ServerType;
let url: string;
let browser: Browser;
const stop = new AbortController();

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  rig = channelRig();
  const config = validateConfig({}, rig.home);
  const local = new LocalChannel(join(rig.home, 'uploads'));
  const pairing = createPairing({ store: rig.store, config, log: silentLog });
  gateway = new Gateway({
    config,
    store: rig.store,
    log: silentLog,
    channels: [local, rig.channel],
    pollMs: 50,
  });
  const app = createHttpApp({
    token: () => TOKEN,
    metrics: () => '',
    ready: () => ({ ready: true }),
    mount: (root) => {
      root.route(
        '/dashboard',
        createDashboardRoutes({
          signal: stop.signal,
          devices: createDevices({ db: rig.store.db }),
          token: () => TOKEN,
          publicUrl: 'http://127.0.0.1',
          store: rig.store,
          pairing,
          gateway,
          local,
          log: silentLog,
        }),
      );
    },
  });
  const listening = await listen(app, 0, '127.0.0.1');
  server = listening.server;
  url = `http://127.0.0.1:${listening.port}`;
  await gateway.start();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  stop.abort();
  await gateway?.stop(2000);
  if (server) await closeServer(server, 1000);
  await rig?.cleanup();
});

describe('the dashboard overview while WhatsApp links', () => {
  it('draws the QR as an image, follows its rotation, and shows the channel connected after the scan', async () => {
    const sock = await rig.wa.socket(1);
    sock.showQr('2@first-ref,noisekey,identitykey,advsecret');
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    const { secret } = createDevices({ db: rig.store.db }).createLink();
    await page.goto(`${url}/dashboard/#link=${secret}`);
    await page.locator('h1', { hasText: 'Overview' }).waitFor();

    const qr = page.locator('[data-channel="whatsapp"] img.qr-image');
    await qr.waitFor();
    const first = await qr.getAttribute('src');
    // The image is the QR code of exactly this payload, drawn by the qrcode library …
    const expected = await QRCode.toString('2@first-ref,noisekey,identitykey,advsecret', {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    expect(first).toBe(`data:image/svg+xml;base64,${Buffer.from(expected).toString('base64')}`);
    // … and the browser really rendered it (a broken image has no natural size).
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await page.screenshot({ path: join(SHOTS, '20-whatsapp-qr.png'), fullPage: true });

    sock.showQr('2@second-ref,noisekey,identitykey,advsecret');
    await page.waitForFunction(
      (before) =>
        document.querySelector('[data-channel="whatsapp"] img.qr-image')?.getAttribute('src') !== before,
      first,
    );
    expect(await page.locator('[data-channel="whatsapp"] .qr-box').getAttribute('data-qr')).toBe(
      '2@second-ref,noisekey,identitykey,advsecret',
    );

    sock.open(OWNER);
    await page.locator('[data-channel="whatsapp"]', { hasText: '+15550001111' }).waitFor();
    expect(await page.locator('[data-channel="whatsapp"] img.qr-image').count()).toBe(0);
  }, 90_000);
});
