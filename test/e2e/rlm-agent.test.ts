// /rlm through the gateway process (real local sandboxes, the model fake in this process): plain text
// goes to rlm when agents.default is rlm; `--repo PATH` copies a git repository into the workspace and
// its changes come back as rlm.patch; `sandgate runs show ID --json` has the §9.3 tree and
// `sandgate runs show ID` prints it indented; /cancel stops the whole tree and deletes its sandboxes.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentNodeJson } from '../../agents/rlm/index.js';
import { describeTurn, KEY, py, say } from '../agents/rlm/helpers.js';
import { type FakeAnthropic, type RecordedRequest, startFakeAnthropic } from '../fakes/anthropic/server.js';
import { cli, type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

/** With the home as cwd: `sandgate chat` saves the files it receives (rlm.patch) there. */
const cliIn = (home: string, args: string[], extra: Record<string, string> = {}) =>
  cli(home, args, extra, { cwd: home });

describe('/rlm through the gateway process', () => {
  const home = tempHome();
  const repo = join(home.home, 'src-repo');
  let fake: FakeAnthropic;
  let gw: GatewayProcess;
  let subStarted = false;
  const port = () => ({ SANDGATE_PORT: String(gw.port) });

  const route = (req: RecordedRequest) => {
    const t = describeTurn(req);
    if (t.task === 'fix the greeting') {
      if (t.iteration === 1)
        return py(
          "print(edit_file('src-repo/hello.py', 'print(\"helo\")', 'print(\"hello\")'))\nopen('src-repo/NOTES.md', 'w').write('fixed\\n')\nFINAL('fixed the greeting')",
        );
    }
    if (t.task === 'how many agents?') {
      if (t.iteration === 1) return py("r = rlm_query_batched(['one', 'two'])\nprint(r)");
      return py("FINAL('agents said ' + ', '.join(r))");
    }
    if (t.task === 'one' || t.task === 'two') return py(`FINAL('${t.task}')`);
    if (t.task === 'wait forever') return py("rlm_query('sleep')");
    if (t.task === 'sleep') {
      subStarted = true;
      return py('import time\nwhile True: time.sleep(0.05)');
    }
    return say(`unexpected ${t.task}`);
  };

  beforeAll(async () => {
    mkdirSync(repo);
    writeFileSync(join(repo, 'hello.py'), 'print("helo")\n');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    fake = await startFakeAnthropic({ apiKey: KEY });
    fake.push(...Array.from({ length: 500 }, () => route));
    expect((await cliIn(home.home, ['config', 'set', 'agents.default', 'rlm'])).code).toBe(0);
    gw = await startGatewayProcess(home.home, {
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: fake.url,
      SANDGATE_MODEL: 'claude-sonnet-5',
    });
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    home.cleanup();
  });

  it('plain text goes to rlm; runs show prints the tree, --json has it per §9.3', async () => {
    const res = await cliIn(home.home, ['chat', '-c', 'tree', '-m', 'how many agents?'], port());
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('agents said one, two');
    const runs = JSON.parse((await cliIn(home.home, ['runs', 'list', '--json'])).stdout) as {
      id: number;
      kind: string;
    }[];
    const run = runs[0]!;
    expect(run.kind).toBe('rlm');
    const shown = JSON.parse((await cliIn(home.home, ['runs', 'show', String(run.id), '--json'])).stdout) as {
      tree: AgentNodeJson;
    };
    expect(shown.tree.agent_id).toBe('agent-0');
    expect(shown.tree.spawned_agents.map((c) => [c.depth, c.task, c.result])).toEqual([
      [1, 'one', 'one'],
      [1, 'two', 'two'],
    ]);
    expect(shown.tree.iterations[0]!.spawned).toEqual(['agent-1', 'agent-2']);
    const text = (await cliIn(home.home, ['runs', 'show', String(run.id)])).stdout;
    expect(text).toMatch(/Agents:\n {2}agent-0 {2}depth 0 {2}2 iterations {2}\d+\.\d s {2}\$\d\.\d{4}\n/);
    expect(text).toMatch(/\n {4}agent-1 {2}depth 1 {2}1 iteration {2}/);
    expect(text).toMatch(/\n {6}→ two\n/);
    expect(fake.problems).toEqual([]);
  }, 120_000);

  it('--repo PATH: the repository is copied in and the change comes back as rlm.patch', async () => {
    const res = await cliIn(
      home.home,
      ['chat', '-c', 'repo', '-m', `/rlm --repo ${repo} fix the greeting`],
      port(),
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('fixed the greeting');
    const runs = JSON.parse((await cliIn(home.home, ['runs', 'list', '--json'])).stdout) as { id: number }[];
    const shown = JSON.parse(
      (await cliIn(home.home, ['runs', 'show', String(runs[0]!.id), '--json'])).stdout,
    ) as {
      artifacts: { id: number; name: string }[];
    };
    const patch = shown.artifacts.find((a) => a.name === 'rlm.patch');
    expect(patch).toBeDefined();
    const db = new Database(join(home.home, 'sandgate.db'), { readonly: true });
    const row = db.prepare('SELECT data FROM artifacts WHERE id = ?').get(patch!.id) as { data: Buffer };
    db.close();
    const diff = row.data.toString();
    expect(diff).toContain('-print("helo")');
    expect(diff).toContain('+print("hello")');
    expect(diff).toContain('+++ b/NOTES.md');
    // The repository on the gateway's machine is untouched.
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: repo }).toString()).toBe('');
  }, 120_000);

  it('/cancel stops the whole tree and deletes its sandboxes', async () => {
    const listChildren = async () => {
      const out = (await cliIn(home.home, ['sandboxes', 'list', '--json'], port())).stdout;
      return (JSON.parse(out) as { labels?: Record<string, string> }[]).filter(
        (s) => s.labels?.run !== undefined,
      );
    };
    const sent = cliIn(home.home, ['chat', '-c', 'stop', '-m', '/rlm wait forever'], port());
    await waitFor(() => subStarted, 'the sub-agent running', 60_000);
    expect(await listChildren()).toHaveLength(1);
    const cancel = await cliIn(home.home, ['chat', '-c', 'stop', '-m', '/cancel'], port());
    expect(cancel.code).toBe(0);
    await sent;
    await waitFor(async () => (await listChildren()).length === 0, 'the child sandbox deleted', 30_000);
    const runs = JSON.parse((await cliIn(home.home, ['runs', 'list', '--json'])).stdout) as {
      state: string;
      kind: string;
    }[];
    expect(runs[0]).toMatchObject({ state: 'cancelled', kind: 'rlm' });
  }, 120_000);
});
