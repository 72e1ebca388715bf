import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Progress } from '../../../agents/agent.js';
import {
  COMPACTED_MARKER,
  defineTool,
  type LoopTool,
  runToolLoop,
  type ToolLoopOptions,
  TRUNCATION_MARKER,
} from '../../../agents/tool-loop/index.js';
import {
  createModelClient,
  type ModelClient,
  ModelRetriesExhaustedError,
  UsageRepository,
} from '../../../src/model/index.js';
import {
  type FakeAnthropic,
  hangingReply,
  lastToolResults,
  lastToolResultText,
  overloaded,
  reply,
  startFakeAnthropic,
  text,
  thinking,
  toolUse,
} from '../../fakes/anthropic/server.js';
import { openUsageDb, recordingSleep, silentLog, TEST_MODEL, testConfig } from '../../model/helpers.js';

let fake: FakeAnthropic;
let db: Database.Database;
let model: ModelClient;

beforeEach(async () => {
  fake = await startFakeAnthropic({ model: TEST_MODEL });
  db = openUsageDb();
  const m = createModelClient(testConfig(fake.url, { anthropic: { maxRetries: 1 } }), {
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

const echo = defineTool({
  name: 'Echo',
  description: 'Echoes its text.',
  input: z.object({ text: z.string() }),
  run: async ({ text }) => ({ content: `echo: ${text}`, progress: `echoed ${text}` }),
});

function loop(tools: LoopTool[], extra: Partial<ToolLoopOptions> = {}) {
  const progress: Progress[] = [];
  const ac = new AbortController();
  const run = runToolLoop({
    model,
    call: { runId: 1, senderKey: 'u1' },
    system: 'test system',
    tools,
    messages: [{ role: 'user', content: 'go' }],
    maxIterations: 10,
    signal: ac.signal,
    emit: (p) => progress.push(p),
    log: silentLog,
    agent: 'tester',
    ...extra,
  });
  return { run, progress, ac };
}

describe('tool loop', () => {
  it('runs a tool, sends its result back with the matching id, and ends on the answer', async () => {
    fake.push(reply(text('Let me echo.'), toolUse('Echo', { text: 'hi' }, 'toolu_a')), (req) => {
      const results = lastToolResults(req);
      return reply(text(`The tool said: ${results.get('toolu_a')?.text}`));
    });
    const { run, progress } = loop([echo]);
    const res = await run;
    expect(res.stop).toBe('done');
    expect(res.finalText).toBe('The tool said: echo: hi');
    expect(progress).toEqual([
      { text: 'Let me echo.', kind: 'model', agent: 'tester' },
      { text: 'echoed hi', kind: 'tool', agent: 'tester' },
    ]);
    expect(res.usage.outputTokens).toBeGreaterThan(0);
    expect(res.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('ends after a turn whose tool says it has the answer, without asking the model again', async () => {
    const done = defineTool({
      name: 'Done',
      description: 'Finishes the run.',
      input: z.object({}),
      run: async () => ({ content: 'accepted', progress: 'accepted', final: true }),
    });
    fake.push(reply(text('Submitting.'), toolUse('Echo', { text: 'a' }, 't1'), toolUse('Done', {}, 't2')));
    const { run, progress } = loop([echo, done]);
    const res = await run;
    expect(res.stop).toBe('done');
    expect(res.iterations).toBe(1);
    expect(fake.requests).toHaveLength(1);
    expect(progress.map((p) => p.text)).toEqual(['Submitting.', 'echoed a', 'accepted']);
    // The thread ends with both results, so a follow-up can continue it.
    expect(res.messages.at(-1)).toMatchObject({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't1' },
        { type: 'tool_result', tool_use_id: 't2', content: 'accepted' },
      ],
    });
  });

  it('sends thinking blocks back unchanged with the tool results', async () => {
    fake.push(reply(thinking('I should echo.', 'sig_1'), toolUse('Echo', { text: 'x' }, 't1')), (req) => {
      expect(req.body.messages[1].content[0]).toEqual({
        type: 'thinking',
        thinking: 'I should echo.',
        signature: 'sig_1',
      });
      return reply(text('ok'));
    });
    const res = await loop([echo]).run;
    expect(res.stop).toBe('done');
  });

  it('returns bad arguments, unknown tools and tool crashes to the model as errors', async () => {
    const crash = defineTool({
      name: 'Crash',
      description: 'Always fails.',
      input: z.object({}),
      run: async () => {
        throw new Error('disk on fire');
      },
    });
    fake.push(
      reply(toolUse('Echo', { text: 42 }, 'a'), toolUse('Nope', {}, 'b'), toolUse('Crash', {}, 'c')),
      (req) => {
        const r = lastToolResults(req);
        expect(r.get('a')).toMatchObject({
          isError: true,
          text: expect.stringContaining('Invalid arguments for Echo: text'),
        });
        expect(r.get('b')).toMatchObject({ isError: true, text: 'Unknown tool "Nope".' });
        expect(r.get('c')).toMatchObject({ isError: true, text: 'Crash failed: disk on fire' });
        return reply(text('recovered'));
      },
    );
    const res = await loop([echo, crash]).run;
    expect(res.stop).toBe('done');
    expect(res.finalText).toBe('recovered');
  });

  it('truncates long tool results with a marker', async () => {
    const big = defineTool({
      name: 'Big',
      description: 'Prints a lot.',
      input: z.object({}),
      run: async () => ({ content: `START${'x'.repeat(50_000)}END` }),
    });
    let seen = '';
    fake.push(reply(toolUse('Big', {})), (req) => {
      seen = lastToolResultText(req);
      return reply(text('ok'));
    });
    await loop([big], { maxToolResultChars: 2000 }).run;
    expect(seen).toContain(TRUNCATION_MARKER);
    expect(seen.startsWith('START')).toBe(true);
    expect(seen.endsWith('END')).toBe(true);
    expect(seen.length).toBeLessThan(2100);
  });

  it('stops at the iteration cap when the model keeps calling tools', async () => {
    for (let i = 0; i < 3; i++) fake.push(reply(toolUse('Echo', { text: `${i}` })));
    const res = await loop([echo], { maxIterations: 3 }).run;
    expect(res.stop).toBe('max_iterations');
    expect(fake.requests).toHaveLength(3);
    expect(res.messages.at(-1)?.role).toBe('user');
  });

  it('compacts older tool results when the context nears its limit', async () => {
    const chunk = defineTool({
      name: 'Chunk',
      description: 'Returns a big chunk.',
      input: z.object({ n: z.number() }),
      run: async ({ n }) => ({ content: `chunk ${n}\n${'y'.repeat(9000)}` }),
    });
    for (let n = 1; n <= 5; n++) fake.push(reply(toolUse('Chunk', { n })));
    fake.push(reply(text('all read')));
    const { run, progress } = loop([chunk], { contextTokens: 8000 });
    const res = await run;
    expect(res.stop).toBe('done');
    expect(res.compactions).toBeGreaterThan(0);
    expect(progress.some((p) => p.kind === 'status' && p.text.includes('compacted'))).toBe(true);
    const lastBody = JSON.stringify(fake.requests.at(-1)?.body.messages);
    expect(lastBody).toContain(COMPACTED_MARKER);
    expect(lastBody).toContain('chunk 1'); // the summary keeps the first line
    expect(lastToolResultText(fake.requests.at(-1)!)).toContain('y'.repeat(9000)); // newest intact
  });

  it('ends with model_error when retries run out', async () => {
    fake.push(overloaded(), overloaded());
    const res = await loop([echo]).run;
    expect(res.stop).toBe('model_error');
    expect(res.error).toBeInstanceOf(ModelRetriesExhaustedError);
  });

  it('aborts a running tool promptly, even one that ignores the signal', async () => {
    const stuck = defineTool({
      name: 'Stuck',
      description: 'Never returns.',
      input: z.object({}),
      run: () => new Promise(() => {}),
    });
    fake.push(reply(toolUse('Stuck', {}, 's1'), toolUse('Echo', { text: 'later' }, 's2')));
    const { run, ac } = loop([stuck, echo]);
    await expect.poll(() => fake.requests.length).toBe(1);
    setTimeout(() => ac.abort(), 50);
    const res = await run;
    expect(res.stop).toBe('aborted');
    const last = res.messages.at(-1);
    expect(last?.role).toBe('user');
    expect(JSON.stringify(last?.content)).toContain('Cancelled');
    expect(JSON.stringify(last?.content)).toContain('s2');
  });

  it('aborts a model stream promptly', async () => {
    fake.push(hangingReply('I am thinking'));
    const { run, ac } = loop([echo]);
    await expect.poll(() => fake.requests.length).toBe(1);
    ac.abort();
    const res = await run;
    expect(res.stop).toBe('aborted');
    await expect.poll(() => fake.clientAborts).toBe(1);
  });
});
