import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import {
  BudgetExceededError,
  createModelClient,
  ModelAbortedError,
  type ModelClient,
  ModelRequestError,
  ModelRetriesExhaustedError,
  modelErrorReply,
  modelUnavailableReply,
  priceFor,
  UsageRepository,
} from '../../src/model/index.js';
import {
  type FakeAnthropic,
  hangingReply,
  overloaded,
  rateLimited,
  reply,
  startFakeAnthropic,
  streamOverloaded,
  text,
  toolUse,
  withUsage,
} from '../fakes/anthropic/server.js';
import { openUsageDb, recordingSleep, silentLog, TEST_MODEL, testConfig } from './helpers.js';

const call = { runId: 1, senderKey: 'tg:42' };
const ask = { system: 'You are terse.', messages: [{ role: 'user' as const, content: 'hi' }] };

let fake: FakeAnthropic;
let db: Database.Database;
let usage: UsageRepository;

beforeEach(async () => {
  fake = await startFakeAnthropic({ apiKey: 'sk-ant-test-key-123', model: TEST_MODEL });
  db = openUsageDb();
  usage = new UsageRepository(db);
});
afterEach(async () => {
  expect(fake.problems).toEqual([]);
  await fake.close();
  db.close();
});

function client(
  extra: Record<string, unknown> = {},
  sleep = recordingSleep().sleep,
  now?: () => Date,
): ModelClient {
  const m = createModelClient(testConfig(fake.url, extra), {
    usage,
    log: silentLog,
    sleep,
    ...(now ? { now } : {}),
  });
  if (!m) throw new Error('expected a model client');
  return m;
}

describe('model client', () => {
  it('streams text as it arrives and returns the whole message', async () => {
    fake.push(reply(text('Hello there, streaming works.')));
    const deltas: string[] = [];
    const turn = await client().turn(ask, { ...call, onText: (d) => deltas.push(d) });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Hello there, streaming works.');
    expect(turn.message.content).toEqual([
      expect.objectContaining({ type: 'text', text: 'Hello there, streaming works.' }),
    ]);
    expect(fake.requests[0]?.stream).toBe(true);
  });

  it('puts cache breakpoints on the system prompt and the last tool', async () => {
    fake.push(reply(text('ok')));
    const tools = ['A', 'B'].map((name) => ({
      name,
      description: name,
      input_schema: { type: 'object' as const },
    }));
    await client().turn({ ...ask, tools }, call);
    const body = fake.requests[0]?.body;
    expect(body.system).toEqual([
      { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } },
    ]);
    expect(body.tools[0].cache_control).toBeUndefined();
    expect(body.tools[1].cache_control).toEqual({ type: 'ephemeral' });
  });

  it('parses streamed tool calls into input objects', async () => {
    fake.push(
      reply(text('Writing.'), toolUse('Write', { path: 'index.html', content: '<h1>hi</h1>' }, 'toolu_1')),
    );
    const turn = await client().turn(ask, call);
    expect(turn.message.stop_reason).toBe('tool_use');
    expect(turn.message.content[1]).toMatchObject({
      type: 'tool_use',
      id: 'toolu_1',
      input: { path: 'index.html' },
    });
  });

  it('retries 429 (honouring retry-after), 529 and an in-stream overload, then succeeds', async () => {
    fake.push(rateLimited(3), overloaded(), streamOverloaded(), reply(text('finally')));
    const { sleep, waits } = recordingSleep();
    const notices: string[] = [];
    const turn = await client({}, sleep).turn(ask, { ...call, onRetry: (n) => notices.push(n.reason) });
    expect(turn.message.content[0]).toMatchObject({ text: 'finally' });
    expect(fake.requests).toHaveLength(4);
    expect(waits[0]).toBe(3000);
    expect(waits).toHaveLength(3);
    expect(notices.slice(0, 2)).toEqual(['HTTP 429', 'HTTP 529']);
  });

  it('gives up after the retry budget with an error the chat can show', async () => {
    fake.push(overloaded(), overloaded(), overloaded());
    const err = await client({ anthropic: { maxRetries: 2 } })
      .turn(ask, call)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelRetriesExhaustedError);
    expect(fake.requests).toHaveLength(3);
    expect(modelErrorReply(err)).toMatch(/overloaded.*tried 3 times/);
  });

  it('does not wait out a retry-after longer than the cap', async () => {
    fake.push(rateLimited(3600));
    const { sleep, waits } = recordingSleep();
    const err = await client({}, sleep)
      .turn(ask, call)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelRetriesExhaustedError);
    expect(waits).toEqual([]);
    expect(modelErrorReply(err)).toMatch(/rate-limited.*60 min/);
  });

  it('does not retry a rejected key', async () => {
    await fake.close();
    fake = await startFakeAnthropic({ model: TEST_MODEL });
    fake.push({
      kind: 'http-error',
      status: 401,
      errorType: 'authentication_error',
      message: 'invalid x-api-key',
    });
    const err = await client()
      .turn(ask, call)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelRequestError);
    expect(fake.requests).toHaveLength(1);
    expect(modelErrorReply(err)).toMatch(/refused the configured key.*anthropic\.apiKey/);
  });

  it('records usage and an approximate cost per run', async () => {
    const u = {
      input_tokens: 1000,
      output_tokens: 200,
      cache_creation_input_tokens: 3000,
      cache_read_input_tokens: 5000,
    };
    fake.push(withUsage(reply(text('a')), u), withUsage(reply(text('b')), u));
    const m = client();
    const first = await m.turn(ask, { runId: 7, senderKey: 's' });
    await m.turn(ask, { runId: 7, senderKey: 's' });
    const p = priceFor(TEST_MODEL);
    const expected =
      (1000 * p.inputPerMTok +
        3000 * p.cacheWritePerMTok +
        5000 * p.cacheReadPerMTok +
        200 * p.outputPerMTok) /
      1e6;
    expect(expected).toBeCloseTo((1000 * 2 + 3000 * 2.5 + 5000 * 0.2 + 200 * 10) / 1e6, 10); // Sonnet 5 list prices
    expect(first.usage).toMatchObject({
      inputTokens: 1000,
      outputTokens: 200,
      cacheWriteTokens: 3000,
      cacheReadTokens: 5000,
    });
    expect(first.usage.costUsd).toBeCloseTo(expected, 10);
    const run = usage.runTotals(7);
    expect(run).toMatchObject({
      calls: 2,
      inputTokens: 2000,
      outputTokens: 400,
      cacheReadTokens: 10000,
      cacheWriteTokens: 6000,
    });
    expect(run.costUsd).toBeCloseTo(expected * 2, 10);
    expect(run.models).toEqual([TEST_MODEL]);
  });

  it('refuses a sender over the daily token budget without calling the API, per sender and day', async () => {
    let now = new Date('2030-01-01T10:00:00Z');
    const m = client({ limits: { dailyTokens: 1000 } }, undefined, () => now);
    fake.push(withUsage(reply(text('big answer')), { input_tokens: 900, output_tokens: 200 }));
    await m.turn(ask, { runId: 1, senderKey: 'alice' });
    const err = await m.turn(ask, { runId: 2, senderKey: 'alice' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(fake.requests).toHaveLength(1);
    expect(modelErrorReply(err)).toMatch(
      /daily model budget is used up \(1100 of 1000 tokens on 2030-01-01.*limits\.dailyTokens/,
    );

    fake.push(reply(text('bob is fine')), reply(text('new day')));
    await expect(m.turn(ask, { runId: 3, senderKey: 'bob' })).resolves.toBeTruthy();
    now = new Date('2030-01-02T00:00:01Z');
    await expect(m.turn(ask, { runId: 4, senderKey: 'alice' })).resolves.toBeTruthy();
  });

  it('refuses a sender over the daily USD budget', async () => {
    const m = client({ limits: { dailyUsd: 0.01 } });
    fake.push(withUsage(reply(text('pricey')), { input_tokens: 10_000, output_tokens: 3000 }));
    await m.turn(ask, call);
    const err = await m.turn(ask, call).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(modelErrorReply(err)).toMatch(/\$0\.05 of \$0\.01.*limits\.dailyUsd/);
  });

  it('stops a stream promptly when aborted', async () => {
    fake.push(hangingReply('Thinking about'));
    const ac = new AbortController();
    const pending = client().turn(ask, {
      ...call,
      signal: ac.signal,
      onText: () => ac.abort(),
    });
    await expect(pending).rejects.toBeInstanceOf(ModelAbortedError);
    await expect.poll(() => fake.clientAborts).toBe(1);
    expect(usage.runTotals(call.runId).calls).toBe(0);
  });

  it('is absent without a key, and the reply names the exact setting', () => {
    const cfg = testConfig(fake.url);
    cfg.anthropic.apiKey = undefined;
    expect(createModelClient(cfg, { log: silentLog })).toBeUndefined();
    expect(modelUnavailableReply()).toContain('sandgate config set anthropic.apiKey');
    expect(modelUnavailableReply()).toContain('ANTHROPIC_API_KEY');
  });
});

describe('price table', () => {
  it('prices model families, newest first, and falls back to Sonnet 4.x for unknown ids', () => {
    expect(priceFor('claude-fable-5-1')).toMatchObject({
      inputPerMTok: 10,
      outputPerMTok: 50,
      cacheReadPerMTok: 0.25,
    });
    expect(priceFor('claude-fable-5-20260609')).toMatchObject({ inputPerMTok: 10, cacheReadPerMTok: 1 });
    expect(priceFor('claude-opus-5-5')).toMatchObject({ inputPerMTok: 4, outputPerMTok: 20 });
    expect(priceFor('claude-opus-5')).toMatchObject({ inputPerMTok: 5, outputPerMTok: 25 });
    expect(priceFor('claude-opus-4-1-20250805')).toMatchObject({ inputPerMTok: 15 });
    expect(priceFor('claude-sonnet-5-5')).toMatchObject({ inputPerMTok: 2, outputPerMTok: 10 });
    expect(priceFor('claude-sonnet-4-5-20250929')).toMatchObject({
      inputPerMTok: 3,
      cacheWritePerMTok: 3.75,
    });
    expect(priceFor('claude-haiku-4-5')).toMatchObject({ inputPerMTok: 1 });
    expect(priceFor('claude-3-5-haiku-20241022')).toMatchObject({ inputPerMTok: 0.8 });
    expect(priceFor('some-proxy-model')).toMatchObject({ inputPerMTok: 3, outputPerMTok: 15 });
  });
});

describe('model setting', () => {
  it('defaults to the contract model, claude-sonnet-4-5 (SANDGATE_MODEL overrides it)', () => {
    expect(configSchema.parse({}).anthropic.model).toBe('claude-sonnet-4-5');
  });
});
