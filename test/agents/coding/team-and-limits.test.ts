// Team mode and the ways a coding run ends early: no model, budget used up, iteration cap, an
// overloaded API that recovers, a server that dies, /new. Real SDK → fake API, real local sandbox.

import type Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCodingAgent, SqliteThreadStore } from '../../../agents/coding/index.js';
import { configSchema } from '../../../src/config/schema.js';
import { createModelClient, type ModelClient, UsageRepository } from '../../../src/model/index.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import {
  type FakeAnthropic,
  lastToolResultText,
  overloaded,
  reply,
  startFakeAnthropic,
  text,
  toolUse,
  withUsage,
} from '../../fakes/anthropic/server.js';
import { openUsageDb, recordingSleep, silentLog, TEST_MODEL, testConfig } from '../../model/helpers.js';
import { runContext, startTestGateway, type TestGateway, task } from './helpers.js';

let gw: TestGateway;
let sandbox: Sandbox;
let fake: FakeAnthropic;
let db: Database.Database;
let usage: UsageRepository;

function setup(extra: Record<string, unknown> = {}): {
  model: ModelClient;
  agent: ReturnType<typeof createCodingAgent>;
} {
  const model = createModelClient(testConfig(fake.url, extra), {
    usage,
    log: silentLog,
    sleep: recordingSleep().sleep,
  });
  if (!model) throw new Error('no model');
  const config = configSchema.parse({ sandbox: { execTimeoutSec: 20 }, ...extra });
  return { model, agent: createCodingAgent({ threads: new SqliteThreadStore(db), config, log: silentLog }) };
}

beforeAll(async () => {
  gw = await startTestGateway();
  sandbox = await gw.provider.create({ labels: { conversation: 'team' } });
});
afterAll(async () => {
  await gw.close();
});
beforeEach(async () => {
  fake = await startFakeAnthropic({ model: TEST_MODEL });
  db = openUsageDb();
  usage = new UsageRepository(db);
});
afterEach(async () => {
  expect(fake.problems).toEqual([]);
  await fake.close();
  db.close();
});

describe('team mode', () => {
  it('runs one delegation round and ends on TASK_COMPLETE, with both agents visible', async () => {
    const { model, agent } = setup();
    fake.push(
      (req) => {
        expect(req.body.tools).toBeUndefined();
        expect(req.body.system[0].text).toContain('<developer_task>');
        return reply(
          text(
            'Plan: one page.\n<developer_task>Create index.html with the heading "Hello team".</developer_task>',
          ),
        );
      },
      (req) => {
        expect(req.body.tools.length).toBe(8);
        expect(req.body.messages).toEqual([
          {
            role: 'user',
            content: [expect.objectContaining({ text: 'Create index.html with the heading "Hello team".' })],
          },
        ]);
        return reply(toolUse('Write', { file_path: 'index.html', content: '<h1>Hello team</h1>' }));
      },
      reply(text('Created index.html with the heading.')),
      (req) => {
        const last = JSON.stringify(req.body.messages.at(-1));
        expect(last).toContain('<developer_result>');
        expect(last).toContain('Created index.html with the heading.');
        expect(last).toContain('Files changed: index.html');
        return reply(text('The page is ready with its heading.\nTASK_COMPLETE'));
      },
    );
    const { ctx, progress } = runContext(sandbox, model);
    const result = await agent.run(
      task('make a hello page', { options: { team: true }, conversationKey: 'team-1' }),
      ctx,
    );
    expect(result.text).toContain('The page is ready with its heading.');
    expect(result.text).not.toContain('TASK_COMPLETE');
    expect(result.text).toContain('Files changed: index.html');
    expect(progress).toContainEqual({
      agent: 'project-manager',
      kind: 'model',
      text: expect.stringContaining('delegating: Create index.html'),
    });
    expect(progress).toContainEqual({ agent: 'developer', kind: 'tool', text: 'wrote index.html' });
    expect(progress).toContainEqual({ agent: 'project-manager', kind: 'status', text: 'task complete' });
    expect((await sandbox.readFile('index.html')).toString()).toBe('<h1>Hello team</h1>');
    expect(fake.requests).toHaveLength(4);
    expect(usage.runTotals(1).calls).toBe(4);
  });
});

describe('early endings', () => {
  it('answers with the exact setting when no model is configured, without touching the sandbox', async () => {
    const agent = createCodingAgent({
      threads: new SqliteThreadStore(db),
      config: configSchema.parse({}),
      log: silentLog,
    });
    const { ctx, sandboxCalls } = runContext(sandbox, undefined);
    const result = await agent.run(task('build something'), ctx);
    expect(result.text).toContain('sandgate config set anthropic.apiKey');
    expect(result.text).toContain('ANTHROPIC_API_KEY');
    expect(sandboxCalls()).toBe(0);
  });

  it('gives the budget reply once the sender’s daily budget is used up', async () => {
    const { model, agent } = setup({ limits: { dailyTokens: 500 } });
    fake.push(
      withUsage(reply(toolUse('Bash', { command: 'true' })), { input_tokens: 400, output_tokens: 200 }),
    );
    const { ctx } = runContext(sandbox, model);
    const result = await agent.run(task('do work', { conversationKey: 'budget' }), ctx);
    expect(result.text).toMatch(/daily model budget is used up \(600 of 500 tokens/);
    expect(fake.requests).toHaveLength(1);
    const again = await agent.run(
      task('more', { conversationKey: 'budget', runId: 2 }),
      runContext(sandbox, model).ctx,
    );
    expect(again.text).toMatch(/daily model budget is used up/);
    expect(fake.requests).toHaveLength(1);
  });

  it('tells the user when the iteration cap stops a looping model', async () => {
    const { model, agent } = setup({ agents: { maxIterations: 2 } });
    fake.push(reply(toolUse('Bash', { command: 'echo 1' })), reply(toolUse('Bash', { command: 'echo 2' })));
    const { ctx } = runContext(sandbox, model);
    const result = await agent.run(task('loop forever', { conversationKey: 'cap' }), ctx);
    expect(result.text).toContain('I stopped after 2 steps (the agents.maxIterations limit)');
    expect(fake.requests).toHaveLength(2);
  });

  it('retries an overloaded API and then finishes', async () => {
    const { model, agent } = setup();
    fake.push(overloaded(), reply(text('Done after a retry.')));
    const { ctx, progress } = runContext(sandbox, model);
    const result = await agent.run(task('hello', { conversationKey: 'retry' }), ctx);
    expect(result.text).toBe('Done after a retry.');
    expect(progress).toContainEqual({
      kind: 'status',
      text: expect.stringMatching(/^model busy \(HTTP 529\), retrying/),
    });
  });

  it('reports a server that exits instead of handing out a dead link', async () => {
    const { model, agent } = setup();
    fake.push(
      reply(toolUse('StartServer', { command: 'echo boom >&2; exit 1', port: 8123, wait_sec: 20 })),
      (req) => {
        const out = lastToolResultText(req);
        expect(out).toContain('The server exited before port 8123 answered.');
        expect(out).toContain('boom');
        return reply(text('The server would not start.'));
      },
    );
    const { ctx } = runContext(sandbox, model);
    const result = await agent.run(task('start it', { conversationKey: 'dead' }), ctx);
    expect(result.links).toEqual([]);
    expect(result.text).toBe('The server would not start.');
  });

  it('starts over after reset (/new)', async () => {
    const { model, agent } = setup();
    fake.push(reply(text('first')), (req) => {
      expect(req.body.messages).toHaveLength(1);
      return reply(text('fresh start'));
    });
    await agent.run(task('remember me', { conversationKey: 'reset' }), runContext(sandbox, model).ctx);
    await agent.reset('reset');
    const result = await agent.run(
      task('who am I?', { conversationKey: 'reset' }),
      runContext(sandbox, model).ctx,
    );
    expect(result.text).toBe('fresh start');
  });
});
