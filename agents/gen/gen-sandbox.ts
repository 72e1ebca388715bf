// Runs /gen programs in the conversation's sandbox, each in a fresh process: the model's tries
// (run_code) and the gateway's checks (the function, then its tests, as ONE file under the check
// harness). Files go under .sandgate/gen/<run>/ in the workspace and are removed when the run ends.
// A missing interpreter is reported before any model call; sandbox failures reject (the tool reports).

import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ExecResult, Sandbox } from '../../src/sandbox/provider.js';
import { SANDBOX_TYPESCRIPT_JS } from '../../src/sandbox/typescript-runtime.js';
import { shellQuote as q } from '../coding/workspace-paths.js';
import { ASSERT_MODULES, assertModule, NODE_CHECK, pointAssertImports } from './harness/node-check.js';
import { PYTHON_CHECK } from './harness/python-check.js';
import { GatewayTranspiler, TRANSPILE_SCRIPT } from './harness/typescript-transpile.js';
import { EXTENSION, type GenLanguage } from './languages.js';

/** What the sandbox offers: python3, node (its version), the read-only TypeScript mount. */
export interface Toolchain {
  python: boolean;
  nodeInstalled: boolean;
  /** The version of a node that started; absent when none did. */
  node?: [number, number, number];
  typescriptMounted: boolean;
}

/** Lowest Node the JS/TS runs need: --experimental-detect-module (20.10), --disable-warning (20.11). */
const NODE_MIN: [number, number] = [20, 11];
/**
 * The module kind is detected (ES module when the file has import/export, else CommonJS); the
 * detection warning is noise for the model; stack traces of TypeScript name program.ts lines.
 */
const NODE_FLAGS =
  '--experimental-detect-module --disable-warning=MODULE_TYPELESS_PACKAGE_JSON --enable-source-maps';

export interface ProgramOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const tallySchema = z.object({
  ran: z.number().int().min(0),
  failed: z.number().int().min(0),
  status: z.number().int().nullable(),
});
export type Tally = z.infer<typeof tallySchema>;

export interface CheckOutput extends ProgramOutput {
  /** The harness's count; absent when the program ended without writing it (fails the check). */
  tally?: Tally;
  /** The program's file name, and where the tests start in it (1-based line). */
  file: string;
  codeLines: number;
  testsFrom: number;
  testsTo: number;
}

export interface GenSandboxOptions {
  sandbox: Sandbox;
  runId: number;
  timeoutMs: number;
  signal: AbortSignal;
  log: Logger;
}

function lineCount(text: string): number {
  return text.split('\n').length;
}

export class GenSandbox {
  private toolchain?: Promise<Toolchain>;
  private n = 0;
  /** Used only where the sandbox has no TypeScript of its own. */
  private readonly transpiler = new GatewayTranspiler();
  private readonly base: string;

  constructor(private readonly o: GenSandboxOptions) {
    this.base = `.sandgate/gen/${o.runId}`;
  }

  /** One probe per run: which interpreters the sandbox has. */
  probe(): Promise<Toolchain> {
    this.toolchain ??= this.exec(
      [
        'command -v python3 >/dev/null 2>&1 && echo python',
        'command -v node >/dev/null 2>&1 && echo node',
        // Starting V8 proves more than the binary: it needs ~750 MB of address space.
        `node -p "'v' + process.versions.node" 2>/dev/null`,
        `test -r ${SANDBOX_TYPESCRIPT_JS} && echo typescript`,
        'true',
      ].join('; '),
    ).then((r): Toolchain => {
      const lines = r.stdout.split('\n').map((l) => l.trim());
      const version = lines.map((l) => /^v(\d+)\.(\d+)\.(\d+)/.exec(l)).find((m) => m !== null);
      const found: Toolchain = {
        python: lines.includes('python'),
        nodeInstalled: lines.includes('node'),
        typescriptMounted: lines.includes('typescript'),
      };
      if (version) found.node = [Number(version[1]), Number(version[2]), Number(version[3])];
      return found;
    });
    return this.toolchain;
  }

  /** Why `language` cannot run here (shown to the person), or undefined when it can. */
  async unavailable(language: GenLanguage): Promise<string | undefined> {
    const t = await this.probe();
    if (language === 'python') return t.python ? undefined : 'python3 is not installed in this sandbox';
    if (!t.nodeInstalled) return `node is not installed in this sandbox, so ${language} cannot run there`;
    if (!t.node)
      return 'node is installed but cannot start in this sandbox (local sandboxes: sandbox.local.memoryMb below about 1024 is too little address space for it)';
    const [major, minor] = t.node;
    if (major < NODE_MIN[0] || (major === NODE_MIN[0] && minor < NODE_MIN[1]))
      return `the sandbox's node is v${t.node.join('.')}; ${language} checks need v${NODE_MIN.join('.')} or newer`;
    return undefined;
  }

  /** The model's try: `code` alone, in a fresh process. */
  async run(language: GenLanguage, code: string): Promise<ProgramOutput> {
    const dir = `${this.base}/run${++this.n}`;
    const program = `${dir}/main.${EXTENSION[language]}`;
    await this.o.sandbox.writeFile(program, code);
    if (language === 'python') return this.exec(`python3 ${q(this.abs(program))}`);
    const js = await this.prepareJs(language, dir, program, code);
    if ('exitCode' in js) return js;
    return this.exec(`${js.prefix}node ${NODE_FLAGS} ${q(this.abs(js.file))}`);
  }

  /**
   * The gateway's check: `code`, a blank line, then `tests`, as one file under the harness, in a
   * fresh process. The tally is read back from a file the harness writes as the process ends.
   */
  async check(language: GenLanguage, code: string, tests: string): Promise<CheckOutput> {
    const dir = `${this.base}/check${++this.n}`;
    const head = code.replace(/\s+$/, '');
    const body = tests.replace(/\s+$/, '');
    const codeLines = lineCount(head);
    const testsFrom = codeLines + 2;
    const file = `program.${EXTENSION[language]}`;
    const program = `${dir}/${file}`;
    const report = `${dir}/report.json`;
    const where = { file, codeLines, testsFrom, testsTo: testsFrom + lineCount(body) - 1 };
    const source = `${head}\n\n${body}\n`;
    const env = { SANDGATE_GEN_REPORT: this.abs(report) };
    let out: ProgramOutput;
    if (language === 'python') {
      await this.o.sandbox.writeFile(program, source);
      await this.o.sandbox.writeFile(`${dir}/check.py`, PYTHON_CHECK);
      out = await this.exec(
        `python3 ${q(this.abs(`${dir}/check.py`))} ${q(this.abs(program))} ${testsFrom}`,
        env,
      );
    } else {
      const pointed = pointAssertImports(source);
      await this.o.sandbox.writeFile(program, pointed);
      for (const kind of ['loose', 'strict'] as const)
        await this.o.sandbox.writeFile(`${dir}/${ASSERT_MODULES[kind]}`, assertModule(kind));
      const js = await this.prepareJs(language, dir, program, pointed);
      if ('exitCode' in js) return { ...js, ...where };
      await this.o.sandbox.writeFile(`${dir}/check.mjs`, NODE_CHECK);
      const preload = pathToFileURL(this.abs(`${dir}/check.mjs`)).href;
      out = await this.exec(
        `${js.prefix}node ${NODE_FLAGS} --import ${q(preload)} ${q(this.abs(js.file))}`,
        env,
      );
    }
    return { ...out, ...where, ...(await this.readTally(report)) };
  }

  /** Removes this run's files (best effort: a sandbox that is gone has nothing to remove) and stops the transpiler. */
  async cleanup(): Promise<void> {
    await this.transpiler.close();
    if (this.n === 0) return;
    await this.o.sandbox
      .exec(`rm -rf ${q(this.abs(this.base))}`, { timeoutMs: 30_000 })
      .catch((err: unknown) => this.o.log.debug({ err }, 'could not remove /gen files'));
  }

  /**
   * JavaScript as Node will run it: a package.json without "type" beside it (so a project's
   * package.json above cannot decide the module kind), and for TypeScript the transpile — a shell
   * prefix with the sandbox's mount, else done here; a transpile error is returned as the output.
   */
  private async prepareJs(
    language: 'javascript' | 'typescript',
    dir: string,
    program: string,
    source: string,
  ): Promise<{ file: string; prefix: string } | ProgramOutput> {
    await this.o.sandbox.writeFile(`${dir}/package.json`, '{}\n');
    if (language === 'javascript') return { file: program, prefix: '' };
    const file = program.replace(/\.ts$/, '.js');
    if ((await this.probe()).typescriptMounted) {
      await this.o.sandbox.writeFile(`${dir}/transpile.mjs`, TRANSPILE_SCRIPT);
      const args = [
        this.abs(`${dir}/transpile.mjs`),
        SANDBOX_TYPESCRIPT_JS,
        this.abs(program),
        this.abs(file),
      ];
      return { file, prefix: `node ${args.map(q).join(' ')} && ` };
    }
    const out = await this.transpiler.transpile(source, program.slice(program.lastIndexOf('/') + 1));
    if ('errors' in out) return { exitCode: 1, stdout: '', stderr: out.errors, timedOut: false };
    await this.o.sandbox.writeFile(file, out.js);
    return { file, prefix: '' };
  }

  private async readTally(report: string): Promise<{ tally?: Tally }> {
    try {
      const parsed = tallySchema.safeParse(
        JSON.parse((await this.o.sandbox.readFile(report)).toString('utf8')),
      );
      return parsed.success ? { tally: parsed.data } : {};
    } catch {
      return {};
    }
  }

  private abs(path: string): string {
    return `${this.o.sandbox.workdir.replace(/\/+$/, '')}/${path}`;
  }

  private async exec(cmd: string, env?: Record<string, string>): Promise<ExecResult> {
    return this.o.sandbox.exec(cmd, {
      timeoutMs: this.o.timeoutMs,
      signal: this.o.signal,
      ...(env ? { env } : {}),
    });
  }
}
