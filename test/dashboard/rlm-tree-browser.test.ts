// The /rlm agent tree on the dashboard's run page, in a real browser (Chromium via playwright-core)
// against the gateway process, real local sandboxes and the model fake: the tree appears while the run
// goes (a sub-agent still working in its child sandbox), boxes open to show each iteration's code and
// output, and it is redrawn with the answers when the run ends. Screenshots go to test-output/dashboard/.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTurn, KEY, py, say } from '../agents/rlm/helpers.js';
import { type FakeAnthropic, type RecordedRequest, startFakeAnthropic } from '../fakes/anthropic/server.js';
import { type GatewayProcess, runCli, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'dashboard');

/** Where a running local sandbox's workspace is on this machine (its bind under /run/sandgate, or its folder). */
function workspaceOnHost(id: string): string {
  const shares = ['/run/sandgate', join(tmpdir(), 'sandgate-run')].filter((d) => existsSync(d));
  for (const parent of shares)
    for (const instance of readdirSync(parent)) {
      const ws = join(parent, instance, 'ws', id);
      if (existsSync(ws)) return ws;
    }
  throw new Error(`no workspace of ${id} on this machine`);
}

describe('the /rlm tree on the run page', () => {
  const home = tempHome('sandgate-rlm-dash-');
  let fake: FakeAnthropic;
  let gw: GatewayProcess;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const route = (req: RecordedRequest) => {
    const t = describeTurn(req);
    if (t.task === 'grow a tree') {
      if (t.iteration === 1) return py("r = rlm_query('wait for go')\nprint('child said', r)");
      return py('FINAL(r)');
    }
    if (t.task === 'wait for go') {
      if (t.iteration === 1)
        return py(
          "import os, time\nprint('child waiting')\nwhile not os.path.exists('go.txt'):\n    time.sleep(0.05)",
        );
      return py("FINAL('went')");
    }
    return say('unexpected');
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    fake = await startFakeAnthropic({ apiKey: KEY });
    fake.push(...Array.from({ length: 50 }, () => route));
    gw = await startGatewayProcess(home.home, {
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: fake.url,
      SANDGATE_MODEL: 'claude-sonnet-5',
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    const link = runCli(home.home, ['dashboard', '--url', gw.url]).stdout.split('\n')[0] ?? '';
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(link);
    await page.locator('h1', { hasText: 'Overview' }).waitFor();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await fake?.close();
    home.cleanup();
  });

  it('draws the tree live, with each iteration’s code and output, and the answers at the end', async () => {
    const token = readFileSync(join(home.home, 'gateway-token'), 'utf8').trim();
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${gw.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    await api('/api/local/messages', {
      method: 'POST',
      body: JSON.stringify({ conversation: 'tree', text: '/rlm grow a tree' }),
    });
    await waitFor(() => fake.requests.length > 0, 'the first model call', 60_000);
    const runs = JSON.parse(runCli(home.home, ['runs', 'list', '--json']).stdout) as {
      id: number;
      kind: string;
    }[];
    expect(runs[0]?.kind).toBe('rlm');
    const runId = runs[0]!.id;
    await page.goto(`${gw.url}/dashboard/#/runs/${runId}`);
    // Live: the sub-agent appears while it still waits in its sandbox.
    const child = page.locator('details[data-agent="agent-1"]');
    await child.waitFor();
    expect(await child.locator(':scope > summary').textContent()).toMatch(/agent-1 · depth 1 .*running/);
    await child.locator(':scope > summary').click();
    const iteration = child.locator('details.rlm-iteration').first();
    await iteration.locator(':scope > summary').click();
    await expect
      .poll(() => iteration.locator('pre.code').textContent())
      .toContain("while not os.path.exists('go.txt')");
    await page.screenshot({ path: join(SHOTS, '20-rlm-tree-live.png'), fullPage: true });

    // Let the sub-agent go: write go.txt into its workspace on this machine.
    const sandboxId = await waitFor(async () => {
      const out = runCli(home.home, ['runs', 'show', String(runId), '--json']).stdout;
      return (
        (JSON.parse(out) as { tree: { spawned_agents: { sandbox_id: string | null }[] } }).tree
          ?.spawned_agents[0]?.sandbox_id ?? undefined
      );
    }, 'the child sandbox id');
    writeFileSync(join(workspaceOnHost(sandboxId), 'go.txt'), 'go');

    await page.locator('details[data-agent="agent-1"] summary', { hasText: 'answered' }).waitFor();
    const done = page.locator('details[data-agent="agent-1"]');
    if (!(await done.evaluate((d: HTMLDetailsElement) => d.open)))
      await done.locator(':scope > summary').click();
    await expect.poll(() => done.textContent()).toContain('went');
    // The root's second iteration (FINAL) lands after the child's answer: the page redraws it.
    await expect
      .poll(() => page.locator('details[data-agent="agent-0"] > summary').textContent(), { timeout: 30_000 })
      .toMatch(/agent-0 · depth 0 · 2 iterations · \d+\.\d s/);
    await page.screenshot({ path: join(SHOTS, '21-rlm-tree-done.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(fake.problems).toEqual([]);
  }, 180_000);
});
