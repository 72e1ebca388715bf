// One Daytona sandbox behind our Sandbox port. exec → process.executeCommand; runCode → our Python
// driver run as an async session command (stdin through session input, protocol through the log
// stream) so host calls work mid-run; files → fs; PTYs → process.createPty. A stopped sandbox is
// started on demand, activity is refreshed during long runs, and one deleted in Daytona surfaces as
// SandboxGoneError.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox as SdkSandbox } from '@daytonaio/sdk';
import type { Logger } from 'pino';
import { CodeContexts } from '../../code-contexts.js';
import type { DriverHandlers, DriverTransport } from '../../code-session.js';
import { SandboxGoneError, SandboxPathError } from '../../errors.js';
import { capText, TailBuffer } from '../../output-cap.js';
import type {
  CodeRunResult,
  ExecOptions,
  ExecResult,
  FileEntry,
  ProcessHandle,
  PtyCreateOptions,
  PtyHandle,
  RunCodeOptions,
  Sandbox,
} from '../../provider.js';
import { DRIVER_ENV, DRIVER_FILES } from '../../runtime-files.js';
import { checkEnv } from '../../sandbox-env.js';
import { openDaytonaPty } from './daytona-pty.js';
import { execScript, resolveInside, shellLine, shq, TIMEOUT_EXIT } from './remote-shell.js';
import { goneIfNotFound, type Sleep, withRetryAfter } from './retry.js';

export interface DaytonaSandboxDeps {
  log: Logger;
  runtimeSource: string;
  execTimeoutMs: number;
  interruptGraceMs: number;
  outputCap: number;
  maxFileBytes: number;
  /** Lifetime of a preview link when the caller gives none. */
  previewTtlSec: number;
  sleep?: Sleep;
  /** How often to tell Daytona a long run is still active. */
  activityEveryMs?: number;
}

/** The SDK labels a sandbox with its code-toolbox language at create (not exported by the SDK). */
const TOOLBOX_LANGUAGE_LABEL = 'code-toolbox-language';
/** Small allocator/BLAS footprints: a Daytona sandbox's memory is small and shared by every context. */
const DRIVER_ENV_LINE = Object.entries({ ...DRIVER_ENV, MALLOC_ARENA_MAX: '2', OPENBLAS_NUM_THREADS: '1' })
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');

export class DaytonaSandbox implements Sandbox {
  readonly id: string;
  private readonly contexts: CodeContexts;

  constructor(
    private readonly sb: SdkSandbox,
    readonly workdir: string,
    private readonly d: DaytonaSandboxDeps,
  ) {
    this.id = sb.id;
    this.contexts = new CodeContexts({
      log: d.log,
      defaultTimeoutMs: d.execTimeoutMs,
      interruptGraceMs: d.interruptGraceMs,
      outputCap: d.outputCap,
      start: (h) => this.startDriver(h),
    });
  }

  async exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? this.d.execTimeoutMs;
    const cwd = opts.cwd ? this.inside(opts.cwd) : undefined;
    const script = execScript({ cmd, cwd, env: checkEnv(opts.env), timeoutSec: timeoutMs / 1000 });
    // The daemon's own limit is a backstop only; `timeout` inside ends the command first.
    const r = await this.call(() =>
      this.keepAlive(() =>
        this.sb.process.executeCommand(
          shellLine(script),
          undefined,
          undefined,
          Math.ceil(timeoutMs / 1000) + 15,
        ),
      ),
    ).catch((err: unknown) => {
      if ((err as { statusCode?: number }).statusCode === 408) return { exitCode: 137, result: '' };
      throw err;
    });
    const timedOut = r.exitCode === TIMEOUT_EXIT || r.exitCode === 137;
    const stderr = timedOut
      ? `\n[timed out after ${Math.round(timeoutMs / 100) / 10}s: the command and its children were killed]\n`
      : '';
    return { exitCode: r.exitCode, stdout: capText(r.result, this.d.outputCap), stderr, timedOut };
  }

  async runCode(code: string, opts: RunCodeOptions = {}): Promise<CodeRunResult> {
    const session = this.contexts.get(opts.context);
    return await this.keepAlive(() => session.run(code, opts));
  }

  /** A fresh interpreter context (its own driver in its own Daytona session). */
  async createContext(): Promise<string> {
    return await this.contexts.create();
  }

  /** Deletes the context's session, which ends its interpreter; the id is not reused. */
  async deleteContext(context: string): Promise<void> {
    await this.contexts.delete(context);
  }

  async startProcess(
    cmd: string,
    opts: { cwd?: string; env?: Record<string, string> } = {},
  ): Promise<ProcessHandle> {
    const cwd = this.inside(opts.cwd ?? '.');
    const sessionId = `sandgate-proc-${randomBytes(6).toString('hex')}`;
    const script = [
      `cd ${shq(cwd)} || exit 1`,
      ...Object.entries(checkEnv(opts.env)).map(([k, v]) => `export ${k}=${shq(v)}`),
      cmd,
    ].join('\n');
    await this.call(() => this.sb.process.createSession(sessionId));
    const { cmdId } = await this.call(() =>
      this.sb.process.executeSessionCommand(sessionId, { command: shellLine(script), runAsync: true }),
    );
    const exitCode = async () => (await this.sb.process.getSessionCommand(sessionId, cmdId)).exitCode;
    return {
      id: sessionId,
      logs: async () => {
        const l = await this.call(() => this.sb.process.getSessionCommandLogs(sessionId, cmdId));
        const tail = new TailBuffer(this.d.outputCap);
        tail.push(Buffer.from(l.output ?? `${l.stdout ?? ''}${l.stderr ?? ''}`));
        return tail.text();
      },
      running: async () => {
        try {
          return (await exitCode()) == null;
        } catch {
          return false;
        }
      },
      kill: async () => {
        await this.sb.process.deleteSession(sessionId).catch(() => undefined);
      },
    };
  }

  /** A shell on a pseudo-terminal (Daytona's process.createPty), in the workspace unless `cwd` says otherwise. */
  async createPty(opts: PtyCreateOptions): Promise<PtyHandle> {
    const cwd = this.inside(opts.cwd ?? '.');
    const envs = checkEnv(opts.envs);
    return await this.call(() =>
      openDaytonaPty(this.sb.process, { ...opts, cwd, envs }, (wait) => this.keepAlive(wait)),
    );
  }

  async writeFile(path: string, data: Buffer | string): Promise<void> {
    const buf = Buffer.from(data);
    if (buf.length > this.d.maxFileBytes)
      throw new SandboxPathError(`file is larger than ${this.d.maxFileBytes} bytes`);
    const full = this.inside(path);
    await this.call(() => this.sb.fs.uploadFile(buf, full));
  }

  async readFile(path: string): Promise<Buffer> {
    const full = await this.realInside(path);
    const info = await this.call(() => this.sb.fs.getFileDetails(full));
    if (info.isDir) throw new SandboxPathError(`not a regular file: ${path}`);
    if (info.size > this.d.maxFileBytes) {
      throw new SandboxPathError(`file is too large (${info.size} bytes, limit ${this.d.maxFileBytes})`);
    }
    return await this.call(() => this.sb.fs.downloadFile(full));
  }

  async listFiles(path = '.'): Promise<FileEntry[]> {
    const full = await this.realInside(path);
    const entries = await this.call(() => this.sb.fs.listFiles(full));
    return entries
      .map((e) => ({ path: `${full.replace(/\/$/, '')}/${e.name}`, size: e.size, isDir: e.isDir }))
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  async previewUrl(port: number, opts: { ttlSec?: number } = {}): Promise<{ url: string; expiresAt: Date }> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${port}`);
    const ttl = opts.ttlSec ?? this.d.previewTtlSec;
    const r = await this.call(() => this.sb.getSignedPreviewUrl(port, ttl));
    return { url: r.url, expiresAt: new Date(Date.now() + ttl * 1000) };
  }

  /** Replaces our labels; the SDK's own language label stays, or a later get() would lose the toolbox language. */
  async setLabels(labels: Record<string, string>): Promise<void> {
    const lang = this.sb.labels?.[TOOLBOX_LANGUAGE_LABEL];
    await this.api(() =>
      this.sb.setLabels({ ...labels, ...(lang ? { [TOOLBOX_LANGUAGE_LABEL]: lang } : {}) }),
    );
  }

  /** Revoke a signed preview link this sandbox handed out. */
  async revokePreview(port: number, token: string): Promise<void> {
    await this.call(() => this.sb.expireSignedPreviewUrl(port, token));
  }

  async stop(): Promise<void> {
    await this.closeContexts();
    await this.api(() => this.sb.stop());
  }

  async delete(): Promise<void> {
    await this.closeContexts();
    await this.api(() => this.sb.delete()).catch((err: unknown) => {
      if (!(err instanceof SandboxGoneError)) throw err;
    });
  }

  private async closeContexts(): Promise<void> {
    await this.contexts.closeAll();
  }

  private inside(path: string): string {
    const full = resolveInside(this.workdir, path);
    if (!full) throw new SandboxPathError(`path is outside the workspace: ${path}`);
    return full;
  }

  /** Like inside(), and also refuses a path whose symlinks lead out of the workspace. */
  private async realInside(path: string): Promise<string> {
    const full = this.inside(path);
    const r = await this.call(() =>
      this.sb.process.executeCommand(shellLine(`realpath -m -- ${shq(full)}`), undefined, undefined, 30),
    );
    const real = r.result.trim();
    if (r.exitCode === 0 && real && !resolveInside(this.workdir, real)) {
      throw new SandboxPathError(`path is outside the workspace: ${path}`);
    }
    return full;
  }

  private async startDriver(h: DriverHandlers): Promise<DriverTransport> {
    const dir = await this.uploadRuntime();
    const sessionId = `sandgate-py-${randomBytes(6).toString('hex')}`;
    await this.call(() => this.sb.process.createSession(sessionId));
    const command = shellLine(
      `cd ${shq(this.workdir)} && exec env ${DRIVER_ENV_LINE} python3 -u ${shq(`${dir}/driver.py`)}`,
    );
    const { cmdId } = await this.call(() =>
      this.sb.process.executeSessionCommand(sessionId, { command, runAsync: true, suppressInputEcho: true }),
    );
    this.sb.process
      .getSessionCommandLogs(
        sessionId,
        cmdId,
        (text) => h.onData(text),
        (text) => h.onDiagnostics?.(text),
      )
      .then(
        () => h.onExit('the interpreter exited'),
        (err: unknown) => h.onExit(`log stream failed: ${String(err)}`),
      );
    let chain: Promise<void> = Promise.resolve();
    return {
      send: (line) => {
        chain = chain.then(() => this.sb.process.sendSessionCommandInput(sessionId, cmdId, `${line}\n`));
        return chain;
      },
      kill: async () => {
        await this.sb.process.deleteSession(sessionId).catch(() => undefined);
      },
    };
  }

  /**
   * Uploads the interpreter's files, at every interpreter start: code that ran in this sandbox can
   * write them (they sit in the workspace), and a later interpreter — the next eval item's — must not
   * run a changed driver.
   */
  private async uploadRuntime(): Promise<string> {
    const dir = `${this.workdir.replace(/\/$/, '')}/.sandgate/runtime`;
    const files = await Promise.all(
      DRIVER_FILES.map(async (f) => ({
        source: await readFile(join(this.d.runtimeSource, f)),
        destination: `${dir}/${f}`,
      })),
    );
    await this.call(() => this.sb.fs.uploadFiles(files));
    return dir;
  }

  /** Refresh Daytona's idle timer while a long call runs, so auto-stop does not cut it off. */
  private async keepAlive<T>(fn: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      void this.sb.refreshActivity().catch(() => undefined);
    }, this.d.activityEveryMs ?? 60_000);
    try {
      return await fn();
    } finally {
      clearInterval(timer);
    }
  }

  /** A sandbox-API call: rate limits retried, 404 means the sandbox is gone. */
  private async api<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await withRetryAfter(fn, { sleep: this.d.sleep });
    } catch (err) {
      throw goneIfNotFound(this.id, err);
    }
  }

  /** A toolbox call: make sure the sandbox is started first, and once more if the call fails on a stopped one. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    await this.ensureStarted(false);
    try {
      return await withRetryAfter(fn, { sleep: this.d.sleep });
    } catch (err) {
      if (!(await this.ensureStarted(true))) throw err;
      return await withRetryAfter(fn, { sleep: this.d.sleep });
    }
  }

  /** Returns true when it had to start the sandbox. */
  private async ensureStarted(refresh: boolean): Promise<boolean> {
    if (refresh) await this.api(() => this.sb.refreshData());
    const state = String(this.sb.state ?? '');
    if (state === 'started') return false;
    if (['stopped', 'archived', 'paused', 'error'].includes(state)) {
      // Interpreters died with the sandbox; their sessions notice through their log streams.
      this.d.log.info({ sandbox: this.id, state }, 'starting stopped Daytona sandbox');
      await this.api(() => this.sb.start());
      return true;
    }
    if (state === 'destroyed' || state === 'destroying') throw new SandboxGoneError(this.id);
    await this.api(() => this.sb.waitUntilStarted());
    return true;
  }
}
