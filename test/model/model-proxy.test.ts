// The model proxy over real HTTP: the real @anthropic-ai/sdk (as a sandboxed program would use it)
// → the proxy's public route → the Anthropic protocol fake, which checks for the real key.

import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DailyBudget } from '../../src/model/daily-budget.js';
import { ModelProxy } from '../../src/model/proxy/model-proxy.js';
import { ProxyGrants } from '../../src/model/proxy/proxy-grants.js';
import { PUBLIC_PROXY_PATH, publicProxyRoutes } from '../../src/model/proxy/sandbox-endpoint.js';
import { UsageRepository } from '../../src/model/usage-repository.js';
import { type FakeAnthropic, reply, startFakeAnthropic, text, withUsage } from '../fakes/anthropic/server.js';
import { openUsageDb, silentLog, TEST_MODEL } from './helpers.js';

const KEY = 'sk-ant-real-key-for-the-proxy-test-0123';
const DAY = new Date('2031-03-04T10:00:00Z');

describe('model proxy', () => {
  let fake: FakeAnthropic;
  let server: ServerType;
  let base = '';
  const db = openUsageDb();
  const usage = new UsageRepository(db);
  const grants = new ProxyGrants();
  const client = (apiKey: string) =>
    new Anthropic({ apiKey, baseURL: `${base}${PUBLIC_PROXY_PATH}`, maxRetries: 0, logLevel: 'off' });

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    const proxy = new ModelProxy({
      apiKey: KEY,
      upstream: fake.url,
      grants,
      usage,
      budget: new DailyBudget(usage, { dailyTokens: 5000, dailyUsd: 0 }, () => DAY),
      log: silentLog,
      now: () => DAY,
    });
    const app = new Hono();
    app.route(PUBLIC_PROXY_PATH, publicProxyRoutes(proxy));
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await fake.close();
  });
  afterEach(() => {
    expect(fake.problems).toEqual([]);
  });

  it('streams through with the real key in place of the token, and meters the call into the run and the day', async () => {
    const grant = grants.issue({ runId: 7, senderKey: 'telegram:1', via: { kind: 'public' } });
    fake.push(
      withUsage(reply(text('Hello from upstream.')), {
        input_tokens: 1200,
        output_tokens: 30,
        cache_read_input_tokens: 400,
      }),
    );
    const stream = client(grant.token).messages.stream({
      model: TEST_MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const deltas: string[] = [];
    stream.on('text', (t) => deltas.push(t));
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from upstream.' }]);
    expect(deltas.join('')).toBe('Hello from upstream.');
    const seen = fake.requests.at(-1);
    expect(seen?.headers['x-api-key']).toBe(KEY);
    expect(JSON.stringify(seen?.headers)).not.toContain(grant.token);

    expect(grant.calls).toBe(1);
    expect(grant.usage).toMatchObject({ inputTokens: 1200, outputTokens: 30, cacheReadTokens: 400 });
    expect(grant.usage.costUsd).toBeGreaterThan(0);
    const run = usage.runTotals(7);
    expect(run).toMatchObject({ inputTokens: 1200, outputTokens: 30, calls: 1, models: [TEST_MODEL] });
    expect(run.costUsd).toBeCloseTo(grant.usage.costUsd, 10);
    expect(usage.dayTotals('telegram:1', '2031-03-04').inputTokens).toBe(1200);
    grant.revoke();
  });

  it('meters a non-streamed message too', async () => {
    const grant = grants.issue({ runId: 8, senderKey: 'telegram:2', via: { kind: 'public' } });
    fake.push(withUsage(reply(text('plain')), { input_tokens: 50, output_tokens: 5 }));
    const message = await client(grant.token).messages.create({
      model: TEST_MODEL,
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'plain' }]);
    expect(usage.runTotals(8)).toMatchObject({ inputTokens: 50, outputTokens: 5, calls: 1 });
    grant.revoke();
  });

  it('answers 401 to a wrong token, a revoked one, and one issued for another way in', async () => {
    const before = fake.requests.length;
    const ask = (key: string) =>
      client(key).messages.create({
        model: TEST_MODEL,
        max_tokens: 10,
        messages: [{ role: 'user', content: 'x' }],
      });
    await expect(ask('sgp-not-a-real-token')).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(ask(KEY)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const old = grants.issue({ runId: 9, senderKey: 'telegram:3', via: { kind: 'public' } });
    old.revoke();
    await expect(ask(old.token)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const tunnelOnly = grants.issue({
      runId: 9,
      senderKey: 'telegram:3',
      via: { kind: 'tunnel', sandboxId: 'sb-x' },
    });
    await expect(ask(tunnelOnly.token)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    tunnelOnly.revoke();
    expect(fake.requests.length).toBe(before);
  });

  it('refuses with 402 and a clear message once the sender’s daily budget is spent, without calling upstream', async () => {
    usage.record({
      runId: 10,
      senderKey: 'telegram:4',
      day: '2031-03-04',
      model: TEST_MODEL,
      at: DAY,
      inputTokens: 6000,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.1,
    });
    const grant = grants.issue({ runId: 11, senderKey: 'telegram:4', via: { kind: 'public' } });
    const before = fake.requests.length;
    const err = await client(grant.token)
      .messages.create({ model: TEST_MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(402);
    expect(String((err as Error).message)).toMatch(/daily model budget is used up \(6000 of 5000 tokens/);
    expect(grant.refused?.kind).toBe('tokens');
    expect(fake.requests.length).toBe(before);
    grant.revoke();
  });

  it('serves only the Messages routes', async () => {
    const grant = grants.issue({ runId: 12, senderKey: 'telegram:5', via: { kind: 'public' } });
    const res = await fetch(`${base}${PUBLIC_PROXY_PATH}/v1/files`, {
      headers: { 'x-api-key': grant.token },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
    grant.revoke();
  });
});
