// The coding agent through the real gateway process: real @anthropic-ai/sdk in the gateway child →
// the Anthropic protocol fake in this process, real local (bubblewrap) sandboxes, the local channel.
// The fake runs here, so nothing in this file may block the event loop (no spawnSync while it answers).

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeAnthropic,
  lastToolResultText,
  overloaded,
  type RecordedRequest,
  reply,
  startFakeAnthropic,
  text,
  toolUse,
} from '../fakes/anthropic/server.js';
import { cli, type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

const KEY = 'sk-ant-e2e-coding-0123456789abcdef';
const PAGE = '<!doctype html>\n<h1>Lunar Lander</h1>\n<div class="ship" style="color: white">▲</div>\n';
const SERVER_PY = [
  'import functools, http.server',
  "handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory='.')",
  "http.server.ThreadingHTTPServer(('0.0.0.0', 8000), handler).serve_forever()",
].join('\n');

/** The local channel's HTTP API, as `sandgate chat` uses it. */
function localApi(gw: GatewayProcess, home: string) {
  const token = readFileSync(join(home, 'gateway-token'), 'utf8').trim();
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${gw.url}/api/local${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  return {
    async post(conversation: string, message: string): Promise<number> {
      const res = await api('/messages', {
        method: 'POST',
        body: JSON.stringify({ text: message, conversation }),
      });
      const body = (await res.json()) as { id: number };
      return body.id;
    },
    async message(id: number): Promise<{ state: string; complete: boolean }> {
      return (await (await api(`/messages/${id}`)).json()) as { state: string; complete: boolean };
    },
    /** Reads the conversation's event stream (backlog, then live) until a message or edit matches. */
    async waitForText(conversation: string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
      const stop = new AbortController();
      const timer = setTimeout(() => stop.abort(), timeoutMs);
      const decoder = new TextDecoder();
      let partial = '';
      try {
        const res = await api(`/events?conversation=${conversation}`, { signal: stop.signal });
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const lines = (partial + decoder.decode(chunk, { stream: true })).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (!line.startsWith('data: ')) continue;
            const event = (JSON.parse(line.slice(6)) as { event?: { text?: string } }).event;
            if (event?.text && pattern.test(event.text)) return event.text;
          }
        }
      } catch (err) {
        if (!stop.signal.aborted) throw err;
      } finally {
        clearTimeout(timer);
        stop.abort();
      }
      throw new Error(`no ${pattern} in conversation ${conversation} within ${timeoutMs} ms`);
    },
  };
}

/** Every sandbox workspace of a gateway home that holds `file`. */
function workspacesWith(home: string, file: string): string[] {
  const dir = join(home, 'sandboxes');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((id) => join(dir, id))
    .filter((ws) => existsSync(join(ws, file)));
}

/**
 * Host PIDs of `sleep 120` processes whose working directory holds started.txt with `marker`: the
 * sandbox's command, seen from the host (its cwd is readable through /proc even inside bubblewrap).
 */
function sleepsMarked(marker: string): number[] {
  const argv = 'sleep\u0000120\u0000';
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return (
          readFileSync(`/proc/${p}/cmdline`, 'utf8') === argv &&
          readFileSync(`/proc/${p}/cwd/started.txt`, 'utf8').trim() === marker
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

function userTexts(req: RecordedRequest): string[] {
  type Block = { type: string; text?: string };
  return (req.body.messages as { role: string; content: string | Block[] }[])
    .filter((m) => m.role === 'user')
    .flatMap((m): Block[] =>
      typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content,
    )
    .flatMap((b) => (b.type === 'text' && b.text ? [b.text] : []));
}

/** A row of `sandgate runs list --json` / `runs show --json`. */
interface Run {
  id: number;
  conversationKey: string;
  state: string;
  progress: string[];
  usage?: { inputTokens: number; outputTokens: number; costUsd: number } | null;
  toolCalls?: {
    name: string;
    input: Record<string, unknown>;
    output: string;
    isError: boolean;
    durationMs: number;
    tokens: { input: number; output: number };
  }[];
}

function modelEnv(fake: FakeAnthropic): Record<string, string> {
  return { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url, SANDGATE_MODEL: 'claude-sonnet-5' };
}

describe('the coding agent through the gateway process', () => {
  const home = tempHome();
  let fake: FakeAnthropic;
  let gw: GatewayProcess;
  let chat: ReturnType<typeof localApi>;
  let previewUrl = '';
  let listed: Run[] = [];
  const port = () => ({ SANDGATE_PORT: String(gw.port) });

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    gw = await startGatewayProcess(home.home, modelEnv(fake));
    chat = localApi(gw, home.home);
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    home.cleanup();
  });
  afterEach(() => {
    expect(fake.problems).toEqual([]);
    expect(fake.remaining()).toBe(0);
  });

  it('writes a page and a server, starts it, and the reply’s preview link serves the page through the gateway', async () => {
    fake.push(
      (req) => {
        expect(req.body.system[0].text).toMatch(/workspace/i);
        expect(userTexts(req)).toEqual(['build a lunar lander landing page']);
        return reply(
          text('Writing the page and a small server.'),
          toolUse('Write', { file_path: 'index.html', content: PAGE }),
          toolUse('Write', { file_path: 'server.py', content: SERVER_PY }),
        );
      },
      () => reply(toolUse('StartServer', { command: 'python3 server.py', port: 8000 })),
      (req) => {
        expect(lastToolResultText(req)).toMatch(/Server is up/);
        return reply(text('Your lunar lander page is live.'));
      },
    );
    const res = await cli(
      home.home,
      ['chat', '-c', 'site', '-m', 'build a lunar lander landing page'],
      port(),
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Your lunar lander page is live.');
    expect(res.stdout).toMatch(/Files changed: index\.html, server\.py/);
    previewUrl = /Preview \(port 8000\): (\S+)/.exec(res.stdout)?.[1] ?? '';
    expect(previewUrl.startsWith(`${gw.url}/preview/`)).toBe(true);
    const page = await fetch(previewUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(PAGE);
  });

  it('a follow-up edits the same file in the same sandbox, with the earlier thread sent to the model', async () => {
    fake.push(
      (req) => {
        // The whole earlier exchange comes along: the first request, the tool calls, the answer.
        expect(userTexts(req)).toEqual(['build a lunar lander landing page', 'make the ship red']);
        const said = JSON.stringify(req.body.messages);
        expect(said).toContain('Your lunar lander page is live.');
        expect(said).toContain('"name":"StartServer"');
        return reply(
          toolUse('Edit', { file_path: 'index.html', old_string: 'color: white', new_string: 'color: red' }),
        );
      },
      (req) => {
        expect(lastToolResultText(req)).not.toMatch(/error|not found/i);
        return reply(text('The ship is red now.'));
      },
    );
    const id = await chat.post('site', 'make the ship red');
    await chat.waitForText('site', /The ship is red now\./);
    expect((await chat.message(id)).state).toBe('done');
    expect(await (await fetch(previewUrl)).text()).toContain('style="color: red"');
    const workspaces = workspacesWith(home.home, 'index.html');
    expect(workspaces).toHaveLength(1);
    expect(readFileSync(join(workspaces[0] as string, 'index.html'), 'utf8')).toContain('color: red');
  });

  it('retries a 529 and then answers', async () => {
    fake.push(overloaded(), reply(text('Hello after a short wait.')));
    const before = fake.requests.length;
    const id = await chat.post('retry', 'say hello');
    // The chat is told why it waits, then gets the answer.
    await chat.waitForText('retry', /model busy \(HTTP 529\), retrying/);
    await chat.waitForText('retry', /Hello after a short wait\./);
    expect((await chat.message(id)).state).toBe('done');
    expect(fake.requests.length - before).toBe(2);
  });

  it('runs one team round: the manager delegates, the developer writes, the manager ends on TASK_COMPLETE', async () => {
    fake.push(
      (req) => {
        expect(req.body.system[0].text).toMatch(/project manager/);
        expect(req.body.tools ?? []).toEqual([]);
        return reply(
          text(
            'Plan: one page.\n<developer_task>Write counter.html with a button that counts clicks.</developer_task>',
          ),
        );
      },
      (req) => {
        expect(userTexts(req).at(-1)).toBe('Write counter.html with a button that counts clicks.');
        return reply(
          toolUse('Write', {
            file_path: 'counter.html',
            content: '<button onclick="n.textContent++">+</button><b id="n">0</b>',
          }),
        );
      },
      () => reply(text('counter.html is written.')),
      (req) => {
        expect(userTexts(req).at(-1)).toMatch(/<developer_result>[\s\S]*counter\.html is written\./);
        return reply(text('Reviewed: the counter page is done.\nTASK_COMPLETE'));
      },
    );
    const id = await chat.post('team', '/code --team build a click counter page');
    const answer = await chat.waitForText('team', /Reviewed: the counter page is done\./);
    expect(answer).not.toContain('TASK_COMPLETE');
    expect(answer).toContain('Files changed: counter.html');
    expect((await chat.message(id)).state).toBe('done');
  });

  it('/cancel during a long Bash call stops the command and ends the run as cancelled', async () => {
    const marker = `long-job-${process.pid}-${Date.now()}`;
    fake.push(
      reply(
        text('Starting the long job.'),
        toolUse('Bash', { command: `echo ${marker} > started.txt && sleep 120`, timeout_sec: 300 }),
      ),
    );
    const id = await chat.post('slow', 'run the long job');
    await waitFor(
      () => {
        const pids = sleepsMarked(marker);
        return pids.length > 0 && pids;
      },
      'the long command to start',
      30_000,
    );
    const cancelledAt = Date.now();
    await chat.post('slow', '/cancel');
    await chat.waitForText('slow', /Cancelling the current run/);
    await waitFor(
      async () => (await chat.message(id)).state === 'cancelled',
      'the run to be cancelled',
      20_000,
    );
    const runEnded = Date.now() - cancelledAt;
    await waitFor(() => sleepsMarked(marker).length === 0, 'the sleep to be killed', 20_000);
    const commandKilled = Date.now() - cancelledAt;
    await chat.waitForText('slow', /^Cancelled\.$/);
    console.info(`/cancel: run cancelled after ${runEnded} ms, sleep killed after ${commandKilled} ms`);
    const runs = JSON.parse((await cli(home.home, ['runs', 'list', '--json'])).stdout) as Run[];
    // Well before `sleep 120` could have finished on its own.
    expect(Date.now() - cancelledAt).toBeLessThan(60_000);
    expect(runs.find((r) => r.conversationKey.endsWith(':slow'))?.state).toBe('cancelled');
    listed = runs;
  });

  it('`sandgate runs show` lists each tool call: name, input, output, time and the asking turn’s tokens', async () => {
    // The conversation's first run: the page and the server (the follow-up edited it).
    const [site] = listed.filter((r) => r.conversationKey.endsWith(':site')).sort((a, b) => a.id - b.id);
    const [text, json] = await Promise.all([
      cli(home.home, ['runs', 'show', String(site?.id)]),
      cli(home.home, ['runs', 'show', String(site?.id), '--json']),
    ]);
    const calls = (JSON.parse(json.stdout) as Run).toolCalls ?? [];
    expect(calls.map((c) => c.name)).toEqual(['Write', 'Write', 'StartServer']);
    expect(calls[0]?.input).toMatchObject({ file_path: 'index.html' });
    expect(calls[2]?.output).toMatch(/Server is up/);
    for (const c of calls) {
      expect(c.isError).toBe(false);
      expect(c.durationMs).toBeGreaterThanOrEqual(0);
      expect(c.tokens.input).toBeGreaterThan(0);
    }
    expect(text.stdout).toMatch(/Tool calls:\n {2}Write {2}\{"file_path":"index\.html"/);
  });

  it('`sandgate runs` shows usage and cost, and both team agents’ progress', async () => {
    const site = listed.find((r) => r.conversationKey.endsWith(':site'));
    const [text, json] = await Promise.all([
      cli(home.home, ['runs', 'show', String(site?.id)]),
      cli(home.home, ['runs', 'show', String(site?.id), '--json']),
    ]);
    expect(text.stdout).toMatch(/Usage: .*"inputTokens":\d+.*"costUsd":0\.\d+/);
    const usage = (JSON.parse(json.stdout) as Run).usage;
    expect(usage?.inputTokens).toBeGreaterThan(0);
    expect(usage?.outputTokens).toBeGreaterThan(0);
    expect(usage?.costUsd).toBeGreaterThan(0);
    const team = listed.find((r) => r.conversationKey.endsWith(':team'));
    expect(team?.usage?.inputTokens).toBeGreaterThan(0); // /code runs record usage as plain text does
    expect(team?.progress).toContain(
      '[project-manager] delegating: Write counter.html with a button that counts clicks.',
    );
    expect(team?.progress).toContain('[developer] wrote counter.html');
    expect(team?.progress).toContain('[project-manager] task complete');
  });
});

describe('a sender over the daily token budget', () => {
  const home = tempHome();
  let fake: FakeAnthropic;
  let gw: GatewayProcess;

  beforeAll(async () => {
    writeFileSync(join(home.home, 'config.json5'), '{ limits: { dailyTokens: 50 } }\n');
    fake = await startFakeAnthropic({ apiKey: KEY });
    gw = await startGatewayProcess(home.home, modelEnv(fake));
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    home.cleanup();
  });

  it('gets the budget reply instead of a model call', async () => {
    fake.push(reply(text('Hi there.')));
    const chat = localApi(gw, home.home);
    await chat.post('default', 'hello');
    await chat.waitForText('default', /Hi there\./);
    await chat.post('default', 'and again');
    const answer = await chat.waitForText('default', /budget/);
    expect(answer).toMatch(/daily model budget is used up \(\d+ of 50 tokens/);
    expect(answer).toContain('sandgate config set limits.dailyTokens');
    expect(fake.requests).toHaveLength(1);
    expect(fake.problems).toEqual([]);
  });
});
