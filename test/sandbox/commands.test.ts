// The /sh /py /preview /files /get chat commands over a real local sandbox: what a person in the
// chat sees — fenced output, exit codes, truncation, timeouts, charts as images, files, refusals.

import { afterAll, describe, expect, it } from 'vitest';
import {
  createSandboxCommands,
  type SandboxCommandContext,
  type SandboxCommandName,
} from '../../src/sandbox/commands.js';
import { SandboxGoneError } from '../../src/sandbox/errors.js';
import type { Sandbox } from '../../src/sandbox/provider.js';
import { localProvider, PNG_MAGIC, tempHome } from './helpers.js';

/** Everything a command gets but its arguments. */
type CommandContext = Omit<SandboxCommandContext, 'args'>;

describe('sandbox chat commands', () => {
  const { home, cleanup } = tempHome();
  const provider = localProvider(home);
  let box: Sandbox | undefined;
  const ctx: CommandContext = {
    sandbox: async () => {
      box ??= await provider.create({ labels: { sandgate: '1' } });
      return box;
    },
    signal: new AbortController().signal,
  };
  const commands = createSandboxCommands({ timeoutMs: 5000, maxReplyChars: 600 });
  const say = (name: SandboxCommandName) => (args: string, c: CommandContext) =>
    commands[name].run({ ...c, args });
  const cmd = { sh: say('sh'), py: say('py'), preview: say('preview'), files: say('files'), get: say('get') };
  const fences = (text: string) => text.split('\n').filter((l) => l.startsWith('```')).length;

  afterAll(async () => {
    await provider.shutdown();
    cleanup();
  });

  it('/sh shows output in a code block with the exit code', async () => {
    const ok = await cmd.sh('echo hello; printf "\\033[31mred\\033[0m\\n"', ctx);
    expect(ok.text).toMatch(/^```\nhello\nred\n```\nexit 0 · /);
    const bad = await cmd.sh('echo out; echo err >&2; exit 2', ctx);
    expect(bad.text).toContain('```\nout\n```\nstderr:\n```\nerr\n```\nexit 2');
    expect((await cmd.sh('', ctx)).text).toMatch(/^Usage: \/sh/);
    expect((await cmd.sh('true', ctx)).text).toMatch(/^\(no output\)\nexit 0/);
  });

  it('/sh keeps replies short, fences intact, and says when it timed out', async () => {
    const long = await cmd.sh("seq 1 5000; echo '```'; echo last-line", ctx);
    expect(long.text.length).toBeLessThan(800);
    expect(long.text).toMatch(/not shown/);
    expect(long.text).toContain('last-line');
    expect(fences(long.text)).toBe(2);
    const slow = await cmd.sh('sleep 20', ctx);
    expect(slow.text).toContain('Timed out after 5.0s');
  });

  it('long output comes as a short preview plus the whole output as a .txt document', async () => {
    const lines = await cmd.sh('seq 1 3000', ctx);
    expect(lines.text.length).toBeLessThan(800);
    expect(lines.text).toMatch(/Full output \(14 KiB\) attached as sh-output\.txt\./);
    const [doc] = lines.files ?? [];
    expect(doc?.name).toBe('sh-output.txt');
    expect(doc?.data.toString().split('\n')).toEqual(Array.from({ length: 3000 }, (_, i) => String(i + 1)));
    const xs = await cmd.py('print("x" * 10000)', ctx);
    expect(xs.files?.[0]?.name).toBe('py-output.txt');
    expect(xs.files?.[0]?.data.toString()).toBe('x'.repeat(10000));
    // Short output stays in the chat text alone.
    expect((await cmd.sh('echo short', ctx)).files).toBeUndefined();
  });

  it('past the output cap the document says plainly that the rest was not kept', async () => {
    const huge = await cmd.sh("head -c 3000000 /dev/zero | tr '\\0' a", ctx);
    const body = huge.files?.[0]?.data.toString() ?? '';
    expect(body.startsWith('aaaa')).toBe(true);
    expect(body.length).toBeLessThan(1024 * 1024 + 200);
    expect(body).toMatch(/output truncated after 1\.0 MiB; the rest was not kept/);
    expect(body).not.toMatch(/\b1 more bytes?\b/);
  });

  it('/py keeps variables, shows errors and returns charts as images', async () => {
    expect((await cmd.py('```python\nitems = [4, 2, 9]\n```', ctx)).text).toBe('(no output)');
    expect((await cmd.py('max(items)', ctx)).text).toBe('```\n9\n```');
    const err = await cmd.py('items[7]', ctx);
    expect(err.text).toContain('IndexError: list index out of range');
    expect(err.text).toContain('File "<cell>", line 1');
    const chart = await cmd.py(
      'import matplotlib.pyplot as plt\nplt.plot(items); plt.title("Items")\nplt.show()',
      ctx,
    );
    expect(chart.text).toBe('1 chart');
    expect(chart.images).toHaveLength(1);
    expect(chart.images![0]!.caption).toBe('Items');
    expect(chart.images![0]!.png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
  });

  it('/files lists, /get sends files and refuses paths outside the workspace', async () => {
    await (await ctx.sandbox()).writeFile('out/report.csv', 'a,b\n1,2\n');
    expect((await cmd.files('out', ctx)).text).toBe('```\nout/report.csv  8 B\n```');
    const got = await cmd.get('out/report.csv', ctx);
    expect(got.files).toEqual([{ name: 'report.csv', data: Buffer.from('a,b\n1,2\n') }]);
    expect((await cmd.get('../../etc/passwd', ctx)).text).toMatch(/^Refused: .*outside the workspace/);
    expect((await cmd.get('nope.txt', ctx)).text).toMatch(/^Could not read nope.txt/);
  });

  it('/preview answers with a signed link, and explains its usage', async () => {
    const r = await cmd.preview('3000', ctx);
    expect(r.text).toMatch(
      /^Preview of port 3000 \(link expires in 60 min\):\nhttp:\/\/127\.0\.0\.1:1\/preview\//,
    );
    expect(r.links?.[0]?.url).toMatch(/\/preview\/.+\/$/);
    expect((await cmd.preview('http', ctx)).text).toMatch(/^Usage: \/preview PORT/);
  });

  it('are lane commands that carry their own /help line', () => {
    expect(Object.values(commands).map((c) => [c.name, c.mode, c.usage])).toEqual([
      ['sh', 'lane', 'sh CMD'],
      ['py', 'lane', 'py CODE'],
      ['preview', 'lane', 'preview PORT'],
      ['files', 'lane', 'files [PATH]'],
      ['get', 'lane', 'get PATH'],
    ]);
    for (const c of Object.values(commands)) expect(c.summary.length).toBeGreaterThan(10);
  });

  it('tells the person when the sandbox is gone instead of failing', async () => {
    const gone: CommandContext = {
      sandbox: async () => {
        throw new SandboxGoneError('sb-xyz');
      },
      signal: ctx.signal,
    };
    expect((await cmd.sh('ls', gone)).text).toMatch(/sandbox for this chat is gone/);
  });
});
