// /claude through the real gateway process: the real Claude Code CLI (from node_modules) in a real
// local sandbox, over a PTY, reaching the Anthropic protocol fake only through the gateway's model
// proxy. The fake checks every request for the real key; the sandbox never sees it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeAnthropic,
  hangingReply,
  lastToolResultText,
  type RecordedRequest,
  reply,
  startFakeAnthropic,
  text,
  toolUse,
} from '../fakes/anthropic/server.js';
import { claudeBinaryForTests } from '../helpers/claude-binary.js';
import { cli, type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';
import { claudeProcesses, filesUnder, localChat, workspaces } from './claude-helpers.js';

const KEY = 'sk-ant-e2e-claude-REAL-0123456789abcdef';
const CLAUDE_BIN = claudeBinaryForTests();
const MODEL = 'claude-sonnet-5';

/** A Bash command for the CLI: POST to the proxy with `token`, print the HTTP status. */
const probeProxy = (token: string) =>
  `python3 -c "import os,urllib.request as u
r=u.Request(os.environ['ANTHROPIC_BASE_URL']+'/v1/messages',data=b'{}',headers={'x-api-key':'${token}','anthropic-version':'2023-06-01','content-type':'application/json'})
try: print('proxy-status', u.urlopen(r).status)
except Exception as e: print('proxy-status', getattr(e,'code',e))"`;

interface Run {
  id: number;
  kind: string;
  conversationKey: string;
  state: string;
  progress: string[];
  usage?: { inputTokens: number; outputTokens: number; costUsd: number } | null;
}

describe('/claude: Claude Code in the sandbox, the key kept out', () => {
  const home = tempHome();
  let fake: FakeAnthropic;
  let gw: GatewayProcess;
  let chat: ReturnType<typeof localChat>;
  let firstToken = '';
  const env = () => ({
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_BASE_URL: fake.url,
    SANDGATE_MODEL: MODEL,
    SANDGATE_CLAUDE_BIN: CLAUDE_BIN,
  });

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY, model: MODEL });
    gw = await startGatewayProcess(home.home, env());
    chat = localChat(gw, home.home);
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

  it('writes a file in the workspace (fetchable with /get), shows the tool use, answers with the CLI’s final text', async () => {
    const seen: ReturnType<typeof claudeProcesses> = [];
    fake.push(
      (req) => {
        // While the CLI waits for this answer: its environment holds the proxy and a token, not the key.
        seen.push(...claudeProcesses());
        expect(JSON.stringify(req.body.messages)).toContain('write hello.txt saying hi');
        return reply(
          toolUse('Write', { file_path: '/home/sandbox/hello.txt', content: 'hi from claude\n' }),
          toolUse('Bash', { command: probeProxy('sgp-wrong-token'), description: 'probe the proxy' }),
        );
      },
      (req) => {
        expect(lastToolResultText(req)).toContain('proxy-status 401');
        return reply(text('Wrote hello.txt for you.'));
      },
    );
    const id = await chat.post('cc', '/claude write hello.txt saying hi');
    await waitFor(async () => (await chat.message(id)).complete, 'the /claude run to finish', 90_000);
    expect((await chat.message(id)).state).toBe('done');
    const texts = await chat.texts('cc');
    const answer = texts.find((t) => t.includes('Wrote hello.txt for you.'));
    expect(answer).toContain('Files changed: hello.txt');
    expect(texts.some((t) => t.includes('Write hello.txt'))).toBe(true);

    const ws = workspaces(home.home);
    expect(ws).toHaveLength(1);
    expect(readFileSync(join(ws[0] as string, 'hello.txt'), 'utf8')).toBe('hi from claude\n');

    // Every request the fake saw came through the proxy with the real key.
    expect(fake.requests.length).toBe(2);
    for (const r of fake.requests) expect(r.headers['x-api-key']).toBe(KEY);
    expect(seen).toHaveLength(1);
    const cliEnv = seen[0]?.env ?? {};
    expect(cliEnv.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cliEnv.ANTHROPIC_API_KEY).toMatch(/^sgp-/);
    expect(JSON.stringify(cliEnv)).not.toContain(KEY);
    expect(cliEnv.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBe('1');
    firstToken = cliEnv.ANTHROPIC_API_KEY ?? '';

    const get = await chat.post('cc', '/get hello.txt');
    await waitFor(async () => (await chat.message(get)).complete, 'the /get', 30_000);
    expect((await chat.texts('cc')).some((t) => t.includes('file hello.txt: hi from claude'))).toBe(true);
  });

  it('a follow-up resumes the same CLI session; the earlier run’s token is refused', async () => {
    fake.push(
      (req: RecordedRequest) => {
        const said = JSON.stringify(req.body.messages);
        expect(said).toContain('write hello.txt saying hi');
        expect(said).toContain('Wrote hello.txt for you.');
        return reply(toolUse('Bash', { command: probeProxy(firstToken), description: 'old token' }));
      },
      (req) => {
        expect(lastToolResultText(req)).toContain('proxy-status 401');
        return reply(text('Still the same session.'));
      },
    );
    const id = await chat.post('cc', '/claude what did you write?');
    await waitFor(async () => (await chat.message(id)).complete, 'the follow-up to finish', 90_000);
    expect((await chat.texts('cc')).some((t) => t.includes('Still the same session.'))).toBe(true);
    const transcripts = filesUnder(join(workspaces(home.home)[0] as string, '.claude', 'projects')).filter(
      (f) => f.endsWith('.jsonl'),
    );
    expect(transcripts).toHaveLength(1);
  });

  it('leaves no trace of the key in the sandbox’s files, environment or /proc', async () => {
    const ws = workspaces(home.home)[0] as string;
    for (const f of filesUnder(ws)) expect(readFileSync(f).includes(KEY), f).toBe(false);
    // The key is split in the code, so the scan itself carries it in no command line.
    const [a, b] = [KEY.slice(0, 12), KEY.slice(12)];
    const scan = [
      'import os',
      `key = ${JSON.stringify(a)} + ${JSON.stringify(b)}`,
      'hits = []',
      "for root in (os.path.expanduser('~'), '/tmp'):",
      '    for d, _, names in os.walk(root):',
      '        for n in names:',
      '            try:',
      '                if key.encode() in open(os.path.join(d, n), "rb").read(): hits.append(os.path.join(d, n))',
      '            except OSError: pass',
      "for pid in [p for p in os.listdir('/proc') if p.isdigit()]:",
      "    for part in ('environ', 'cmdline'):",
      '        try:',
      "            if key.encode() in open(f'/proc/{pid}/{part}', 'rb').read(): hits.append(f'/proc/{pid}/{part}')",
      '        except OSError: pass',
      "print('scan', len(os.listdir('/proc')) > 3, hits)",
    ].join('\n');
    const id = await chat.post('cc', `/py ${scan}`);
    await waitFor(async () => (await chat.message(id)).complete, 'the scan in the sandbox', 30_000);
    const out = (await chat.texts('cc')).find((t) => t.includes('scan True')) ?? '';
    expect(out).toContain('scan True []');
  });

  it('`sandgate runs show` has the CLI’s model usage and cost', async () => {
    const runs = JSON.parse((await cli(home.home, ['runs', 'list', '--json'])).stdout) as Run[];
    const first = runs.filter((r) => r.kind === 'claude').at(-1);
    expect(first).toBeDefined();
    const shown = await cli(home.home, ['runs', 'show', String(first?.id), '--json']);
    const run = JSON.parse(shown.stdout) as Run;
    expect(run.usage?.inputTokens).toBeGreaterThan(0);
    expect(run.usage?.outputTokens).toBeGreaterThan(0);
    expect(run.usage?.costUsd).toBeGreaterThan(0);
    expect(run.progress).toContain('Write hello.txt');
    const text = await cli(home.home, ['runs', 'show', String(first?.id)]);
    expect(text.stdout).toMatch(/Usage: .*"costUsd":0\.\d+/);
  });

  it('a server it leaves running gets a preview link that works through the gateway', async () => {
    fake.push(
      reply(
        toolUse('Write', {
          file_path: '/home/sandbox/site/index.html',
          content: '<h1>made by claude</h1>\n',
        }),
        toolUse('Bash', {
          command: 'cd /home/sandbox/site && nohup python3 -m http.server 8123 >/dev/null 2>&1 &',
          description: 'serve the site',
        }),
      ),
      reply(text('The site is up on port 8123.')),
    );
    const id = await chat.post('web', '/claude make a site and serve it');
    await waitFor(async () => (await chat.message(id)).complete, 'the site run', 90_000);
    const answer = (await chat.texts('web')).find((t) => t.includes('The site is up')) ?? '';
    expect(answer).toContain(`preview (port 8123): ${gw.url}/preview/`);
    const link = /preview \(port 8123\): (\S+)/.exec(answer)?.[1] ?? '';
    const page = await waitFor(async () => {
      const res = await fetch(link);
      return res.status === 200 && (await res.text());
    }, 'the preview to serve the page');
    expect(page).toBe('<h1>made by claude</h1>\n');
  });

  it('/new forgets the CLI session: the next /claude starts a fresh one', async () => {
    fake.push((req) => {
      expect(JSON.stringify(req.body.messages)).not.toContain('write hello.txt saying hi');
      return reply(text('A fresh start.'));
    });
    const reset = await chat.post('cc', '/new');
    await waitFor(async () => (await chat.message(reset)).complete, 'the /new', 30_000);
    const id = await chat.post('cc', '/claude hello again');
    await waitFor(async () => (await chat.message(id)).complete, 'the fresh run', 90_000);
    expect((await chat.texts('cc')).some((t) => t.includes('A fresh start.'))).toBe(true);
  });

  it('/cancel interrupts the CLI and ends the run within 2 s', async () => {
    fake.push(hangingReply('Thinking about it'));
    const before = fake.requests.length;
    const id = await chat.post('slow', '/claude take your time');
    await waitFor(
      () => fake.requests.length === before + 1 && claudeProcesses().length === 1,
      'the CLI to wait on the model',
      90_000,
    );
    const cancelledAt = Date.now();
    await chat.post('slow', '/cancel');
    await waitFor(
      async () => (await chat.message(id)).state === 'cancelled',
      'the run to be cancelled',
      20_000,
    );
    const ended = Date.now() - cancelledAt;
    await waitFor(() => claudeProcesses().length === 0, 'the CLI process to be gone', 20_000);
    const gone = Date.now() - cancelledAt;
    console.info(`/claude /cancel: run cancelled after ${ended} ms, CLI gone after ${gone} ms`);
    expect(gone).toBeLessThan(2000);
  });

  it('the daily budget stops it: mid-run at the proxy, then before it starts', async () => {
    const db = new Database(join(home.home, 'sandgate.db'), { readonly: true });
    const day = new Date().toISOString().slice(0, 10);
    const used = (
      db
        .prepare(
          'SELECT SUM(input_tokens + output_tokens + cache_write_tokens) AS t FROM usage WHERE day = ?',
        )
        .get(day) as { t: number }
    ).t;
    db.close();
    await gw.stop();
    // One more call fits, the one after it does not.
    expect((await cli(home.home, ['config', 'set', 'limits.dailyTokens', String(used + 1)])).code).toBe(0);
    gw = await startGatewayProcess(home.home, env());
    chat = localChat(gw, home.home);
    fake.push(reply(toolUse('Bash', { command: 'echo one more step', description: 'step' })));
    const id = await chat.post('budget', '/claude do two steps');
    await waitFor(async () => (await chat.message(id)).complete, 'the budget-stopped run', 90_000);
    const texts = await chat.texts('budget');
    expect(texts.some((t) => /daily model budget is used up/.test(t))).toBe(true);
    const again = await chat.post('budget', '/claude anything');
    await waitFor(async () => (await chat.message(again)).complete, 'the refused run', 30_000);
    expect((await chat.texts('budget')).filter((t) => /daily model budget is used up/.test(t))).toHaveLength(
      2,
    );
  });
});
