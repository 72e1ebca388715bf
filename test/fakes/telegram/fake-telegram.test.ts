// The fake Bot API as another process sees it: started with main.ts, it prints its API root, and
// the /__control/ routes inject updates, script failures and show what the bot did.

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let child: ChildProcess;
let apiRoot: string;
let token: string;

beforeAll(async () => {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fakes/telegram/main.ts', '--token', '42:control-test-token'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fake exited with ${code}`)));
  });
  ({ apiRoot, token } = JSON.parse(line) as { apiRoot: string; token: string });
});
afterAll(() => {
  child.kill('SIGTERM');
});

async function control(path: string, body?: unknown) {
  const res = await fetch(`${apiRoot}/__control${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function bot(method: string, params: Record<string, unknown> = {}) {
  const res = await fetch(`${apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return {
    status: res.status,
    json: (await res.json()) as { ok: boolean; result?: unknown; description?: string },
  };
}

describe('fake Telegram control API (separate process)', () => {
  it('reports who it is', async () => {
    const { json } = await control('/info');
    expect(json).toMatchObject({
      apiRoot,
      token,
      bot: { id: 42, is_bot: true, username: 'sandgate_test_bot' },
    });
  });

  it('injects updates that getUpdates returns, and confirms them by offset', async () => {
    const pushed = await control('/updates', { kind: 'text', text: '/start' });
    const update = pushed.json.update as { update_id: number; message: { entities: unknown[] } };
    expect(update.message.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    const got = await bot('getUpdates', { timeout: 0 });
    expect((got.json.result as { update_id: number }[]).map((u) => u.update_id)).toEqual([update.update_id]);
    await bot('getUpdates', { offset: update.update_id + 1, timeout: 0 });
    expect((await control('/state')).json).toMatchObject({
      confirmedOffset: update.update_id + 1,
      pendingUpdates: [],
    });
  });

  it('scripts failures and records calls and sent messages', async () => {
    expect(
      (await control('/fail', { method: 'sendMessage', failure: { kind: '429', retryAfter: 3 } })).status,
    ).toBe(200);
    const limited = await bot('sendMessage', { chat_id: 5, text: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ ok: false, parameters: { retry_after: 3 } });
    const bad = await bot('sendMessage', { chat_id: 5, text: '<b>open', parse_mode: 'HTML' });
    expect(bad.json.description).toMatch(/^Bad Request: can't parse entities/);
    expect(
      (await bot('sendMessage', { chat_id: 5, text: '<b>hi</b> &amp; bye', parse_mode: 'HTML' })).status,
    ).toBe(200);
    const calls = (await control('/calls?method=sendMessage')).json.calls as { status: number }[];
    expect(calls.map((c) => c.status)).toEqual([429, 400, 200]);
    const messages = (await control('/messages?chatId=5')).json.messages as { text: string }[];
    expect(messages.map((m) => m.text)).toEqual(['hi & bye']);
  });

  it('answers 401 to a wrong token and waits for calls on request', async () => {
    const res = await fetch(`${apiRoot}/bot1:wrong/getMe`);
    expect(res.status).toBe(401);
    const waited = await control('/wait', { method: 'getMe', count: 1, timeoutMs: 5000 });
    expect(waited.status).toBe(200);
  });
});
