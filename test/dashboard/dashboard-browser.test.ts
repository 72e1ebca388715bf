// The dashboard in a real browser (Debian's Chromium via playwright-core) against the real gateway
// process with the Telegram protocol fake: sign-in refused without the token, "waiting for approval",
// approval from the CLI and from another device, pairing approval that reaches the sender, allowlists,
// the chat page, a run's chart inline, revocation. Screenshots of each page go to test-output/dashboard/.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { type GatewayProcess, runCli, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';
import { seedChartRun, startTelegramFake, type TelegramFake } from './helpers.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'dashboard');
const ALICE = { id: 4242, is_bot: false, first_name: 'Alice', username: 'alice' };

let home: ReturnType<typeof tempHome>;
let telegram: TelegramFake;
let gw: GatewayProcess;
let token: string;
let browser: Browser;
let owner: { context: BrowserContext; page: Page };
const errors: string[] = [];

async function device(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page };
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const heading = (page: Page, text: string) => page.locator('h1', { hasText: text }).waitFor();

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  home = tempHome('sandgate-dashboard-');
  telegram = await startTelegramFake();
  gw = await startGatewayProcess(home.home, {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
  });
  token = readFileSync(join(home.home, 'gateway-token'), 'utf8').trim();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  owner = await device();
}, 60_000);

afterAll(async () => {
  if (errors.length) console.error('page errors:', errors);
  await browser?.close();
  await gw?.stop();
  telegram?.stop();
  home?.cleanup();
});

describe('the dashboard in a browser', () => {
  it('refuses a first visit without the token, and a wrong token', async () => {
    const { page } = owner;
    await page.goto(`${gw.url}/`);
    await heading(page, 'Sign in to sandgate');
    expect(page.url()).toBe(`${gw.url}/dashboard/`);
    const status = await page.evaluate(async () => (await fetch('/dashboard/api/overview')).status);
    expect(status).toBe(401);
    await page.fill('#token', 'not-the-token');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toContain('wrong gateway token');
    await shot(page, '01-sign-in');
  });

  it('with the token shows "waiting for approval" and the device id; a CLI approval moves it on by itself', async () => {
    const { page } = owner;
    await page.goto(`${gw.url}/dashboard/?token=${encodeURIComponent(token)}`);
    await heading(page, 'Waiting for approval');
    // The token left the address bar and this history entry at once.
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => location.href + JSON.stringify(history.state))).not.toContain(token);
    const shown = (await page.locator('#device-id').textContent())?.trim() ?? '';
    expect(shown).toMatch(/^[a-z2-7]{5}(-[a-z2-7]{5}){3}$/);
    await shot(page, '02-waiting-for-approval');

    const list = runCli(home.home, ['devices', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ display: shown, state: 'pending' })]);
    const approve = runCli(home.home, ['devices', 'approve', shown]);
    expect(approve.code, approve.stderr).toBe(0);

    await heading(page, 'Overview');
    await page.locator('[data-channel="telegram"]').waitFor();
    await shot(page, '03-overview');
  });

  it('approving a pairing request notifies the sender on Telegram and answers their kept message', async () => {
    const { page } = owner;
    await telegram.control('/updates', { kind: 'text', text: '/help', from: ALICE });
    await page.goto(`${gw.url}/dashboard/#/pairing`);
    const request = page.locator('#pairing-requests li', { hasText: 'Alice' });
    await request.waitFor();
    await expect.poll(() => request.textContent()).toContain('/help');
    await shot(page, '04-pairing-requests');
    await request.getByRole('button', { name: /^Approve/ }).click();
    await page.getByText('No one is waiting').waitFor();

    const texts = await waitFor(async () => {
      const { json } = await telegram.control(`/messages?chatId=${ALICE.id}`);
      const all = (json.messages as { text?: string }[]).map((m) => m.text ?? '');
      return all.some((t) => /approved/i.test(t)) && all.some((t) => t.includes('/status')) ? all : undefined;
    }, 'the approval notice and the answer to the kept /help');
    expect(texts[0]).toContain('sandgate pairing approve telegram'); // the pairing reply came first
  });

  it('allowlists: the approved sender is the owner; add and remove an entry', async () => {
    const { page } = owner;
    await page.goto(`${gw.url}/dashboard/#/allowlists`);
    const alice = page.locator(`tr[data-entry="${ALICE.id}"]`);
    await alice.waitFor();
    await expect.poll(() => alice.textContent()).toContain('owner');
    await page.selectOption('#allow-channel', 'telegram');
    await page.fill('#allow-entry', '777');
    await page.fill('#allow-name', 'Bob');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const bob = page.locator('tr[data-entry="777"]');
    await bob.waitFor();
    await shot(page, '05-allowlists');
    const remove = bob.getByRole('button', { name: /Remove 777/ });
    await remove.click();
    await remove.click();
    await bob.waitFor({ state: 'detached' });
  });

  it('the chat page runs `/sh echo hi` through the local channel and shows `hi`, with a file upload', async () => {
    const { page } = owner;
    await page.goto(`${gw.url}/dashboard/#/chat`);
    await page.locator('#chat-input').waitFor();
    await page.fill('#chat-input', '/sh echo hi');
    await page.setInputFiles('#chat-file', {
      name: 'numbers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('q,sales\n1,3\n2,8\n'),
    });
    await page.click('#chat-send');
    const output = page.locator('#chat-log .msg:not(.mine) pre.code', { hasText: /^hi$/ });
    await output.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('#chat-log .msg.mine').textContent()).toContain('numbers.csv');
    await shot(page, '06-chat');

    const db = openDatabase(join(home.home, 'sandgate.db'), { migrate: false });
    try {
      const row = db
        .prepare(
          `SELECT text, attachments_json FROM inbound WHERE channel = 'local' ORDER BY id DESC LIMIT 1`,
        )
        .get() as { text: string; attachments_json: string };
      expect(row.text).toBe('/sh echo hi');
      expect(JSON.parse(row.attachments_json)).toEqual([
        expect.objectContaining({ name: 'numbers.csv', size: 16 }),
      ]);
    } finally {
      db.close();
    }
  });

  it("a run's chart appears inline, with its progress, usage, tool calls and preview link", async () => {
    const { page } = owner;
    const { runId } = seedChartRun(join(home.home, 'sandgate.db'));
    await page.goto(`${gw.url}/dashboard/#/runs?c=local:charts`);
    await page.locator(`tr[data-run="${runId}"]`).waitFor();
    await shot(page, '07-runs');
    await page.click(`tr[data-run="${runId}"] a`);
    const img = page.locator('figure img[alt="Sales by quarter"]');
    await img.waitFor();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(240);
    expect(await page.locator('#progress').textContent()).toContain('runCode');
    expect(await page.locator('#usage').textContent()).toMatch(/12\.4k in · 830 out · \$0\.05/);
    expect(await page.locator('#links a').getAttribute('href')).toBe('http://127.0.0.1:9/preview/report');
    // The inspection view: each tool call with its input, output, time, tokens and cache hits.
    const call = page.locator('#tool-calls tbody tr');
    expect(await call.count()).toBe(1);
    expect(await call.locator('td').allTextContents()).toEqual([
      '[analysis] runCode',
      '{\n  "code": "df.groupby(\\"quarter\\").sum()"\n}',
      'Q4    950',
      '1.5 s',
      '12.4k · 830',
      '10.2k',
    ]);
    await shot(page, '08-run-with-chart');
  });

  it("sandboxes: the chat's sandbox is listed and can be deleted; the audit log shows every decision", async () => {
    const { page } = owner;
    await page.goto(`${gw.url}/dashboard/#/sandboxes`);
    const row = page.locator('#sandboxes tbody tr').first();
    await row.waitFor();
    expect(await row.textContent()).toContain('local:dashboard');
    await shot(page, '09-sandboxes');
    const del = row.getByRole('button', { name: /^Delete sandbox/ });
    await del.click();
    await del.click();
    await page.getByText('No sandboxes right now').waitFor();

    await page.goto(`${gw.url}/dashboard/#/audit`);
    const audit = page.locator('#audit');
    await audit.waitFor();
    const text = await audit.textContent();
    for (const action of ['device.approve', 'pairing.approve', 'allow.add', 'allow.remove'])
      expect(text).toContain(action);
    await shot(page, '10-audit');
  });

  it('an approved device approves another, which proceeds by itself; revoking it fails its next request', async () => {
    const other = await device();
    try {
      await other.page.goto(`${gw.url}/dashboard/?token=${encodeURIComponent(token)}`);
      await heading(other.page, 'Waiting for approval');
      const otherId = (await other.page.locator('#device-id').textContent())?.trim() ?? '';

      const { page } = owner;
      await page.goto(`${gw.url}/dashboard/#/devices`);
      const mine = page.locator('#devices li.this-device');
      await mine.waitFor();
      expect(await mine.textContent()).toContain('this device');
      const item = page.locator('#devices li', { hasText: otherId });
      await item.getByRole('button', { name: `Approve device ${otherId}` }).click();
      await heading(other.page, 'Overview');
      await expect.poll(() => item.textContent()).toContain('approved');
      await shot(page, '11-devices');

      const revoke = item.getByRole('button', { name: `Revoke device ${otherId}` });
      await revoke.click();
      await revoke.click();
      await expect.poll(() => item.textContent()).toContain('revoked');
      // Its next request fails, and its open event stream is closed: the page falls back to sign-in.
      expect(await other.page.evaluate(async () => (await fetch('/dashboard/api/overview')).status)).toBe(
        401,
      );
      await heading(other.page, 'Sign in to sandgate');
      await shot(other.page, '12-revoked-device');
    } finally {
      await other.context.close();
    }
  });

  it('a one-time link from `sandgate dashboard` signs a new browser in, approved, and leaves the address bar', async () => {
    const out = runCli(home.home, ['dashboard', '--url', gw.url]);
    expect(out.code, out.stderr).toBe(0);
    const link = out.stdout.split('\n')[0] ?? '';
    expect(link).toMatch(new RegExp(`^${gw.url}/dashboard/#link=[A-Za-z0-9_-]{43}$`));
    expect(link).not.toContain(token);
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const page = await phone.newPage();
      await page.goto(link);
      await heading(page, 'Overview');
      expect(page.url()).toBe(`${gw.url}/dashboard/#/overview`);
      await shot(page, '13-overview-phone');
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('link', { name: 'Runs', exact: true }).click();
      await heading(page, 'Conversations and runs');
      await shot(page, '14-runs-phone');
    } finally {
      await phone.close();
    }
  });
});
