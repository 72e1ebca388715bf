// /gen through the gateway pipeline: the command is listed in /help, parsed, run in the
// conversation's real local sandbox, its attempts shown as progress, answered with ONE reply that
// ends `verified: tests passed (typescript)`, with the run's usage recorded; and /cancel stops it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenAgent } from '../../../agents/gen/index.js';
import type { AccessControl } from '../../../src/gateway/access.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import type { LocalSandboxProvider } from '../../../src/sandbox/providers/local/local-provider.js';
import { lastToolResultText, reply, toolUse } from '../../fakes/anthropic/server.js';
import { RecordingChannel } from '../../helpers/recording-channel.js';
import { testGateway } from '../../helpers/test-gateway.js';
import { waitFor } from '../../helpers/wait-for.js';
import { silentLog } from '../../model/helpers.js';
import { tempHome } from '../../sandbox/helpers.js';
import { genConfig, genProvider, type ModelHarness, startModel } from './helpers.js';

const allowAll: AccessControl = { check: () => ({ allow: true }) };

const SLUG_BUGGY =
  'export function slugify(s: string): string {\n  return s.toLowerCase().replace(/ /g, "-");\n}';
const SLUG =
  'export function slugify(s: string): string {\n  return s.trim().toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");\n}';
const SLUG_TESTS = [
  "import assert from 'node:assert/strict';",
  "assert.equal(slugify('Hello World'), 'hello-world');",
  "assert.equal(slugify('a'), 'a');",
  "assert.equal(slugify('x y z'), 'x-y-z');",
  "assert.equal(slugify('  Rock & Roll! '), 'rock-roll');",
].join('\n');

describe('/gen through the gateway', () => {
  const { home, cleanup } = tempHome();
  let provider: LocalSandboxProvider;
  let m: ModelHarness;

  beforeAll(async () => {
    provider = genProvider(home);
    m = await startModel();
  });
  afterAll(async () => {
    await m.close();
    await provider.shutdown();
    cleanup();
  });

  function gatewayWith() {
    const boxes = new Map<string, Promise<Sandbox>>();
    const sandboxes = {
      acquire: (key: string) => {
        let box = boxes.get(key);
        if (!box) {
          box = provider.create({ labels: { conversation: key } });
          boxes.set(key, box);
        }
        return box;
      },
      discard: async (key: string) => {
        boxes.delete(key);
      },
    };
    const channel = new RecordingChannel('telegram');
    const gen = createGenAgent({ config: genConfig(), log: silentLog });
    const { gateway, store } = testGateway(home, {
      channels: [channel],
      agents: [gen],
      access: allowAll,
      sandboxes,
      model: m.model,
      config: { agents: { default: 'gen' } },
    });
    return { channel, gateway, store };
  }

  it('lists /gen, shows each attempt, and answers once with the verified function', async () => {
    const { channel, gateway, store } = gatewayWith();
    m.fake.push(
      () => reply(toolUse('submit', { language: 'typescript', code: SLUG_BUGGY, tests: SLUG_TESTS })),
      (req) => {
        expect(lastToolResultText(req)).toContain('1 of 4 tests failed');
        return reply(toolUse('submit', { language: 'typescript', code: SLUG, tests: SLUG_TESTS }));
      },
    );
    try {
      await gateway.start();
      await channel.sink?.receive(channel.inbound({ text: '/help', conversationKey: 'g1' }));
      const help = await waitFor(() => channel.texts('g1').find((t) => t.includes('/gen')), 'the help');
      expect(help).toContain('/gen [python|javascript|typescript] DESCRIPTION');

      await channel.sink?.receive(
        channel.inbound({ text: '/gen typescript a slugify(s) function', conversationKey: 'g1' }),
      );
      const answer = await waitFor(
        () => channel.texts('g1').find((t) => t.includes('verified: tests passed')),
        'the verified reply',
        60_000,
      );
      expect(answer).toBe(`\`\`\`typescript\n${SLUG}\n\`\`\`\n\nverified: tests passed (typescript)`);
      const run = await waitFor(
        () => store.runs.list({ conversationKey: 'g1' }).find((r) => r.kind === 'gen' && r.state === 'done'),
        'the finished run',
      );
      expect(run.progress).toEqual([
        'attempt 1: 1 of 4 tests failed',
        'attempt 2: tests passed (4 assertions)',
      ]);
      expect(run.usage?.costUsd).toBeGreaterThan(0);
      // One reply: no other message of this run mentions the code.
      expect(channel.texts('g1').filter((t) => t.includes('slugify(s: string)'))).toHaveLength(1);
      expect(m.fake.problems).toEqual([]);
    } finally {
      await gateway.stop(5000);
      store.db.close();
    }
  });

  it('/cancel stops a /gen run whose check is running', async () => {
    const { channel, gateway, store } = gatewayWith();
    const tests = "import time\nopen('gen-cancel-started', 'w').close()\ntime.sleep(120)\nassert f() == 1";
    m.fake.push(() =>
      reply(toolUse('submit', { language: 'python', code: 'def f():\n    return 1', tests })),
    );
    try {
      await gateway.start();
      await channel.sink?.receive(
        channel.inbound({ text: '/gen python f() returns 1', conversationKey: 'g2' }),
      );
      const box = await waitFor(
        () => provider.list({ labels: { conversation: 'g2' } }).then((l) => l[0]),
        'the sandbox',
      );
      const sandbox = await provider.get(box.id);
      await waitFor(
        async () => (await sandbox?.exec('test -e gen-cancel-started'))?.exitCode === 0,
        'the check to start',
        30_000,
      );
      await channel.sink?.receive(channel.inbound({ text: '/cancel', conversationKey: 'g2' }));
      await waitFor(() => channel.texts('g2').includes('Cancelled.'), 'the cancelled reply');
      const run = await waitFor(
        () =>
          store.runs.list({ conversationKey: 'g2' }).find((r) => r.kind === 'gen' && r.state !== 'running'),
        'the run to end',
      );
      expect(run.state).toBe('cancelled');
    } finally {
      await gateway.stop(5000);
      store.db.close();
    }
  });
});
