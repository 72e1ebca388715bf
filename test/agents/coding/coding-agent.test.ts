// The coding agent end to end: real @anthropic-ai/sdk → fake Messages API, real local (bubblewrap)
// sandbox, real preview proxy. Scripts play the model; assertions are what the user would see.

import type Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCodingAgent, SqliteThreadStore } from '../../../agents/coding/index.js';
import { configSchema } from '../../../src/config/schema.js';
import { createModelClient, type ModelClient, UsageRepository } from '../../../src/model/index.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import {
  type FakeAnthropic,
  lastToolResults,
  lastToolResultText,
  reply,
  startFakeAnthropic,
  text,
  toolUse,
} from '../../fakes/anthropic/server.js';
import { openUsageDb, recordingSleep, silentLog, TEST_MODEL, testConfig } from '../../model/helpers.js';
import { runContext, startTestGateway, type TestGateway, task } from './helpers.js';

const KEY = 'sk-ant-secret-key-do-not-leak-9f8e7d';
const PAGE = '<!doctype html><h1>Lunar Lander</h1>\n<div class="ship" style="color: white">▲</div>\n';

let gw: TestGateway;
let fake: FakeAnthropic;
let db: Database.Database;
let model: ModelClient;

function agentConfig(extra: Record<string, unknown> = {}) {
  return configSchema.parse({ sandbox: { execTimeoutSec: 20 }, ...extra });
}

/** Threads outlive a single test (follow-ups), so they get their own database. */
let threadsDb: Database.Database;

function newAgent(extra: Record<string, unknown> = {}) {
  return createCodingAgent({
    threads: new SqliteThreadStore(threadsDb),
    config: agentConfig(extra),
    log: silentLog,
  });
}

beforeAll(async () => {
  gw = await startTestGateway();
  threadsDb = openUsageDb();
});
afterAll(async () => {
  threadsDb.close();
  await gw.close();
});
beforeEach(async () => {
  fake = await startFakeAnthropic({ apiKey: KEY, model: TEST_MODEL });
  db = openUsageDb();
  const m = createModelClient(testConfig(fake.url, { anthropic: { apiKey: KEY } }), {
    usage: new UsageRepository(db),
    log: silentLog,
    sleep: recordingSleep().sleep,
  });
  if (!m) throw new Error('no model');
  model = m;
});
afterEach(async () => {
  expect(fake.problems).toEqual([]);
  await fake.close();
  db.close();
});

describe('coding agent in a local sandbox', () => {
  let sandbox: Sandbox;
  let previewUrl = '';

  beforeAll(async () => {
    sandbox = await gw.provider.create({ labels: { conversation: 'local:chat-1' } });
  });

  it('writes a page, runs a command, starts a server and replies with a working preview link', async () => {
    const agent = newAgent();
    fake.push(
      (req) => {
        expect(req.body.system[0].text).toContain(sandbox.workdir);
        expect(req.body.system[0].text).toMatch(/preview/i);
        expect(req.body.tools.map((t: { name: string }) => t.name)).toEqual([
          'Read',
          'Write',
          'Edit',
          'Glob',
          'Grep',
          'Bash',
          'StartServer',
          'PreviewUrl',
        ]);
        return reply(
          text('Creating the page.'),
          toolUse('Write', { file_path: 'index.html', content: PAGE }),
        );
      },
      (req) => {
        expect(lastToolResultText(req)).toBe('Wrote index.html (3 lines).');
        return reply(toolUse('Bash', { command: 'ls && wc -c < index.html' }));
      },
      (req) => {
        const out = lastToolResultText(req);
        expect(out).toMatch(/^exit code 0/);
        expect(out).toContain('index.html');
        return reply(
          toolUse('StartServer', { command: 'python3 -m http.server 8000 --bind 0.0.0.0', port: 8000 }),
        );
      },
      (req) => {
        const out = lastToolResultText(req);
        previewUrl = /https?:\/\/\S+/.exec(out)?.[0] ?? '';
        expect(previewUrl.startsWith(`${gw.url}/preview/`)).toBe(true);
        return reply(text('Your lunar lander page is live.'));
      },
    );
    const { ctx, progress } = runContext(sandbox, model);
    const result = await agent.run(task('build a lunar lander page'), ctx);

    expect(result.text).toContain('Your lunar lander page is live.');
    expect(result.text).toContain('Files changed: index.html');
    expect(result.text).toContain(`Preview (port 8000): ${previewUrl}`);
    expect(result.links).toEqual([{ url: previewUrl, label: 'preview (port 8000)' }]);
    expect(result.usage?.outputTokens).toBeGreaterThan(0);
    expect(progress.filter((p) => p.kind === 'tool').map((p) => p.text)).toEqual([
      'wrote index.html',
      'ran ls && wc -c < index.html — exit 0',
      'started server on port 8000',
    ]);
    const page = await fetch(new URL('index.html', previewUrl));
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(PAGE);
  });

  it('continues the same thread on a follow-up and edits the same file in the same sandbox', async () => {
    const agent = newAgent(); // a fresh agent object: the thread comes from SQLite, as after a gateway restart

    fake.push(
      (req) => {
        const msgs = req.body.messages;
        expect(msgs[0].content).toBe('build a lunar lander page');
        expect(JSON.stringify(msgs.at(-1))).toContain('make the ship red');
        return reply(
          toolUse('Edit', { file_path: 'index.html', old_string: 'color: white', new_string: 'color: red' }),
        );
      },
      (req) => {
        expect(lastToolResultText(req)).toBe('Edited index.html (1 replacement).');
        return reply(text('The ship is red now.'));
      },
    );
    const { ctx } = runContext(sandbox, model);
    const result = await agent.run(task('make the ship red'), ctx);
    expect(result.text).toContain('The ship is red now.');
    expect(result.text).toContain('Files changed: index.html');
    expect((await sandbox.readFile('index.html')).toString()).toContain('style="color: red"');
    const page = await fetch(new URL('index.html', previewUrl));
    expect(await page.text()).toContain('color: red');
  });

  it('tells the model about bad edits, bad arguments and paths outside the workspace', async () => {
    await sandbox.writeFile('dup.txt', 'a\na\n');
    fake.push(
      reply(
        toolUse('Edit', { file_path: 'index.html', old_string: 'no such text', new_string: 'x' }, 'e1'),
        toolUse('Edit', { file_path: 'dup.txt', old_string: 'a', new_string: 'b' }, 'e2'),
        toolUse('Read', { file_path: '../../etc/passwd' }, 'e3'),
        toolUse('Write', { file_path: 'x.txt' }, 'e4'),
        toolUse('Bash', { command: 'exit 3' }, 'e5'),
      ),
      (req) => {
        const r = lastToolResults(req);
        expect(r.get('e1')).toMatchObject({
          isError: true,
          text: expect.stringContaining('old_string was not found in index.html'),
        });
        expect(r.get('e2')).toMatchObject({
          isError: true,
          text: expect.stringContaining('old_string matches 2 places in dup.txt'),
        });
        expect(r.get('e3')).toMatchObject({
          isError: true,
          text: expect.stringContaining('outside the workspace'),
        });
        expect(r.get('e4')).toMatchObject({
          isError: true,
          text: expect.stringContaining('Invalid arguments for Write: content'),
        });
        expect(r.get('e5')).toMatchObject({ isError: true, text: expect.stringMatching(/^exit code 3/) });
        return reply(text('Sorted that out.'));
      },
    );
    const { ctx } = runContext(sandbox, model);
    const result = await newAgent().run(task('try some things', { conversationKey: 'local:chat-bad' }), ctx);
    expect(result.text).toBe('Sorted that out.');
    expect((await sandbox.readFile('dup.txt')).toString()).toBe('a\na\n');
  });

  it('finds files with Glob and Grep', async () => {
    await sandbox.writeFile('src/app.js', 'const ship = "red";\n');
    fake.push(
      reply(
        toolUse('Glob', { pattern: '**/*.js' }, 'g1'),
        toolUse('Grep', { pattern: 'ship', glob: '*.js' }, 'g2'),
      ),
      (req) => {
        const r = lastToolResults(req);
        expect(r.get('g1')?.text).toBe('src/app.js');
        expect(r.get('g2')?.text).toBe('src/app.js:1:const ship = "red";');
        return reply(text('found it'));
      },
    );
    const { ctx } = runContext(sandbox, model);
    expect(
      (await newAgent().run(task('where is the ship?', { conversationKey: 'local:chat-find' }), ctx)).text,
    ).toBe('found it');
  });

  it('keeps the model key out of the sandbox environment and files', async () => {
    const before = process.env.ANTHROPIC_API_KEY;
    process.env.ANTHROPIC_API_KEY = KEY; // as in a gateway configured through the environment
    try {
      let envOut = '';
      let grepOut = '';
      fake.push(
        reply(
          toolUse('Bash', { command: 'env' }, 'b1'),
          toolUse('Bash', { command: `grep -rl '${KEY}' ~ /tmp; true` }, 'b2'),
        ),
        (req) => {
          envOut = lastToolResults(req).get('b1')?.text ?? '';
          grepOut = lastToolResults(req).get('b2')?.text ?? '';
          return reply(text('checked'));
        },
      );
      const { ctx } = runContext(sandbox, model);
      await newAgent().run(task('show env', { conversationKey: 'local:chat-env' }), ctx);
      expect(envOut).toContain('HOME=');
      expect(envOut).not.toContain(KEY);
      expect(envOut).not.toMatch(/ANTHROPIC/);
      expect(grepOut).toBe('exit code 0');
      const listing = await sandbox.exec(`grep -rl 'sk-ant' ${sandbox.workdir}; true`);
      expect(listing.stdout).toBe('');
    } finally {
      if (before === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = before;
    }
  });

  it('stops a long Bash command on /cancel and the process is gone', async () => {
    fake.push(reply(toolUse('Bash', { command: 'sleep 120' })));
    const ac = new AbortController();
    const { ctx, progress } = runContext(sandbox, model, ac.signal);
    const running = newAgent().run(task('wait a long time', { conversationKey: 'local:chat-cancel' }), ctx);
    await expect
      .poll(async () => (await sandbox.exec('ps -eo args')).stdout.includes('sleep 120'), { timeout: 15_000 })
      .toBe(true);
    const cancelledAt = Date.now();
    ac.abort('cancel');
    const result = await running;
    expect(Date.now() - cancelledAt).toBeLessThan(20_000); // far below the 120 s the command would take
    expect(result.text).toContain('Cancelled.');
    expect(progress.some((p) => p.text.includes('sleep 120'))).toBe(false);
    await expect
      .poll(async () => (await sandbox.exec('ps -eo args')).stdout.includes('sleep 120'), { timeout: 15_000 })
      .toBe(false);
  });
});
