// One local sandbox: a workspace on disk plus, while running, a bwrap'd supervisor that every exec,
// code context and background process goes through (so they share one set of namespaces).
// Stopped sandboxes restart on first use; a sandbox whose files were removed reports SandboxGoneError.

import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { CodeContexts } from '../../code-contexts.js';
import type { DriverHandlers, DriverTransport } from '../../code-session.js';
import { SandboxGoneError, SandboxPathError, SandboxUnavailableError } from '../../errors.js';
import { CappedBuffer, TailBuffer } from '../../output-cap.js';
import type {
  CodeRunResult,
  ExecOptions,
  ExecResult,
  FileEntry,
  ProcessHandle,
  RunCodeOptions,
  Sandbox,
} from '../../provider.js';
import { DRIVER_ENV } from '../../runtime-files.js';
import { type ProcessLimits, SupervisorClient, type SupervisorLaunch } from './supervisor-client.js';

const SANDBOX_FIX_HINT = 'run `sandgate doctor` for what is missing (bubblewrap, user namespaces)';

export interface LocalSandboxDeps {
  id: string;
  /** Workspace path as processes inside see it. */
  workdir: string;
  /** Metadata file on the host; its absence means the sandbox was deleted. */
  metaFile: string;
  /** How to start the supervisor, and where src/sandbox/runtime is as seen from inside. */
  launch(): Promise<SupervisorLaunch & { runtimeDir: string }>;
  /** Environment every process gets (minimal base plus the spec's env). */
  env: Record<string, string>;
  limits: ProcessLimits;
  python: string;
  execTimeoutMs: number;
  interruptGraceMs: number;
  outputCap: number;
  maxFileBytes: number;
  signPreview(port: number, ttlSec: number): { url: string; expiresAt: Date };
  onStart(): void;
  onUse(): void;
  onStopped(): Promise<void>;
  onDelete(): Promise<void>;
  /** Rewrite the labels in the metadata file. */
  relabel(labels: Record<string, string>): Promise<void>;
  log: Logger;
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkEnv(env: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!ENV_KEY.test(k) || typeof v !== 'string' || v.includes('\0')) {
      throw new Error(`invalid environment variable ${JSON.stringify(k)}`);
    }
    out[k] = v;
  }
  return out;
}

/** The supervisor refuses paths by message; give callers a typed error for those. */
function asPathError(err: unknown): unknown {
  const msg = err instanceof Error ? err.message : String(err);
  return /outside the workspace|too large|invalid path/.test(msg) ? new SandboxPathError(msg) : err;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

function exitCodeOf(code: number | null, signal: string | null): number {
  if (code !== null) return code;
  const num = signal ? (constants.signals as Record<string, number | undefined>)[`SIG${signal}`] : undefined;
  return 128 + (num ?? 9);
}

export class LocalSandbox implements Sandbox {
  readonly id: string;
  readonly workdir: string;
  private client?: SupervisorClient;
  private runtimeDir = '';
  private starting?: Promise<SupervisorClient>;
  private readonly contexts: CodeContexts;
  private deleted = false;

  constructor(private readonly d: LocalSandboxDeps) {
    this.id = d.id;
    this.workdir = d.workdir;
    this.contexts = new CodeContexts({
      log: d.log,
      defaultTimeoutMs: d.execTimeoutMs,
      interruptGraceMs: d.interruptGraceMs,
      outputCap: d.outputCap,
      start: (h) => this.startDriver(h),
    });
  }

  get running(): boolean {
    return this.client?.alive === true;
  }

  async exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const sup = await this.supervisor();
    const env = { ...this.d.env, ...checkEnv(opts.env) };
    const stdout = new CappedBuffer(this.d.outputCap);
    const stderr = new CappedBuffer(this.d.outputCap);
    const timeoutMs = opts.timeoutMs ?? this.d.execTimeoutMs;
    let timedOut = false;
    let id: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    // A quick command's exit can be handled before the spawn reply's callback runs: no timer then,
    // or a stray timer would keep the process alive for the whole timeout.
    let finished = false;
    const onAbort = () => id && sup.signal(id, 'KILL');
    try {
      const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
        sup
          .spawn(
            {
              argv: ['/bin/sh', '-c', cmd],
              cwd: opts.cwd,
              env,
              limits: this.d.limits,
              maxOutput: this.d.outputCap + 1,
            },
            {
              onOutput: (fd, data) => (fd === 1 ? stdout : stderr).push(data),
              onTruncated: (fd) => (fd === 1 ? stdout : stderr).markTruncated(),
              onExit: (code, signal) => resolve({ code, signal }),
            },
          )
          .catch((err: unknown) => Promise.reject(asPathError(err)))
          .then((p) => {
            id = p.id;
            if (finished) return;
            timer = setTimeout(() => {
              timedOut = true;
              sup.signal(p.id, 'KILL');
            }, timeoutMs);
            if (opts.signal?.aborted) onAbort();
            opts.signal?.addEventListener('abort', onAbort, { once: true });
          }, reject);
      });
      if (exit.signal === 'SANDBOX_STOPPED') this.assertExists();
      let err = stderr.text();
      if (timedOut)
        err += `\n[timed out after ${seconds(timeoutMs)}: the command and its children were killed]\n`;
      else if (opts.signal?.aborted) err += '\n[cancelled: the command and its children were killed]\n';
      return { exitCode: exitCodeOf(exit.code, exit.signal), stdout: stdout.text(), stderr: err, timedOut };
    } finally {
      finished = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  async runCode(code: string, opts: RunCodeOptions = {}): Promise<CodeRunResult> {
    const session = this.contexts.get(opts.context);
    this.d.onUse();
    return await session.run(code, opts);
  }

  /** Starts one interpreter (src/sandbox/runtime/driver.py) under the supervisor, speaking over its stdio. */
  private async startDriver(h: DriverHandlers): Promise<DriverTransport> {
    const sup = await this.supervisor();
    const driverEnv = { ...this.d.env, ...DRIVER_ENV };
    const decoder = new TextDecoder();
    const { id } = await sup.spawn(
      {
        argv: [this.d.python, '-u', `${this.runtimeDir}/driver.py`],
        env: driverEnv,
        limits: this.d.limits,
        stdin: true,
      },
      {
        onOutput: (fd, data) =>
          fd === 1 ? h.onData(decoder.decode(data, { stream: true })) : h.onDiagnostics?.(data.toString()),
        onExit: (code, signal) => h.onExit(signal ? `killed by ${signal}` : `exit code ${code}`),
      },
    );
    return {
      send: async (line) => sup.stdin(id, `${line}\n`),
      kill: async () => sup.signal(id, 'KILL'),
    };
  }

  async startProcess(
    cmd: string,
    opts: { cwd?: string; env?: Record<string, string> } = {},
  ): Promise<ProcessHandle> {
    const sup = await this.supervisor();
    const logs = new TailBuffer(this.d.outputCap);
    const state = { running: true, exitCode: undefined as number | undefined };
    let pid = 0;
    const { id } = await sup
      .spawn(
        {
          argv: ['/bin/sh', '-c', cmd],
          cwd: opts.cwd,
          env: { ...this.d.env, ...checkEnv(opts.env) },
          limits: this.d.limits,
        },
        {
          onOutput: (_fd, data) => logs.push(data),
          onExit: (code, signal) => {
            state.running = false;
            state.exitCode = exitCodeOf(code, signal);
            logs.push(Buffer.from(`\n[process exited with code ${state.exitCode}]\n`));
          },
        },
      )
      .then((p) => {
        pid = p.pid;
        return p;
      });
    return {
      id,
      pid,
      logs: async () => logs.text(),
      running: async () => state.running,
      kill: async () => {
        if (state.running) sup.signal(id, 'KILL');
      },
    };
  }

  async writeFile(path: string, data: Buffer | string): Promise<void> {
    const buf = Buffer.from(data);
    if (buf.length > this.d.maxFileBytes)
      throw new SandboxPathError(`file is larger than ${this.d.maxFileBytes} bytes`);
    await this.fileOp(async (sup) => sup.writeFile(path, buf));
  }

  async readFile(path: string): Promise<Buffer> {
    return await this.fileOp((sup) => sup.readFile(path, this.d.maxFileBytes));
  }

  async listFiles(path = '.'): Promise<FileEntry[]> {
    return await this.fileOp((sup) => sup.listFiles(path));
  }

  async previewUrl(port: number, opts: { ttlSec?: number } = {}): Promise<{ url: string; expiresAt: Date }> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${port}`);
    this.assertExists();
    return this.d.signPreview(port, opts.ttlSec ?? 3600);
  }

  async setLabels(labels: Record<string, string>): Promise<void> {
    this.assertExists();
    await this.d.relabel({ ...labels });
  }

  /** A byte stream to 127.0.0.1:port inside this sandbox's network namespace. */
  async connectPort(port: number): Promise<Duplex> {
    this.assertExists();
    if (!this.client?.alive) throw new Error('sandbox is not running');
    this.d.onUse();
    return await this.client.openTcp(port);
  }

  async stop(): Promise<void> {
    await this.halt();
    await this.d.onStopped();
  }

  async delete(): Promise<void> {
    this.deleted = true;
    await this.halt();
    await this.d.onDelete();
  }

  private async halt(): Promise<void> {
    const client = this.client ?? (await this.starting?.catch(() => undefined));
    this.client = undefined;
    await this.contexts.closeAll();
    await client?.kill();
  }

  private assertExists(): void {
    if (this.deleted || !existsSync(this.d.metaFile)) {
      this.deleted = true;
      throw new SandboxGoneError(this.id);
    }
  }

  private async fileOp<T>(fn: (sup: SupervisorClient) => Promise<T>): Promise<T> {
    const sup = await this.supervisor();
    try {
      return await fn(sup);
    } catch (err) {
      throw asPathError(err);
    }
  }

  private async supervisor(): Promise<SupervisorClient> {
    this.assertExists();
    this.d.onUse();
    if (this.client?.alive) return this.client;
    if (!this.starting) {
      this.starting = (async () => {
        const launch = await this.d.launch();
        let client: SupervisorClient;
        try {
          client = await SupervisorClient.start(launch, this.d.log);
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          if (/bwrap|namespace|ENOENT/.test(msg)) throw new SandboxUnavailableError(msg, SANDBOX_FIX_HINT);
          throw err;
        }
        this.runtimeDir = launch.runtimeDir;
        client.onExit((reason) => {
          if (this.client === client) this.client = undefined;
          void this.contexts.closeAll();
          this.d.log.debug({ sandbox: this.id, reason }, 'sandbox stopped');
        });
        this.client = client;
        this.d.onStart();
        return client;
      })().finally(() => {
        this.starting = undefined;
      });
    }
    return await this.starting;
  }
}
