// One local sandbox: a workspace on disk plus, while running, a bwrap'd supervisor that every exec,
// code context and background process goes through (so they share one set of namespaces).
// Stopped sandboxes restart on first use; a sandbox whose files were removed reports SandboxGoneError.
// Commands themselves (timeouts, cancel, the notes on their end) are in local-commands.ts.

import { existsSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { CodeContexts } from '../../code-contexts.js';
import type { DriverHandlers, DriverTransport } from '../../code-session.js';
import { SandboxGoneError, SandboxPathError, SandboxUnavailableError } from '../../errors.js';
import type {
  CodeRunResult,
  ExecOptions,
  ExecResult,
  FileEntry,
  InsideListener,
  ProcessHandle,
  PtyCreateOptions,
  PtyHandle,
  RunCodeOptions,
  Sandbox,
} from '../../provider.js';
import { DRIVER_ENV } from '../../runtime-files.js';
import { checkEnv } from '../../sandbox-env.js';
import { asPathError, processes, runCommand, startBackground, withNotes } from './local-commands.js';
import { openLocalPty } from './local-pty.js';
import { type ProcessLimits, SupervisorClient, type SupervisorLaunch } from './supervisor-client.js';

/** Address-space floor of a PTY session's processes (see createPty). */
const PTY_MIN_ADDRESS_SPACE = 4 * 1024 ** 3;
const SANDBOX_FIX_HINT = 'run `sandgate doctor` for what is missing (bubblewrap, user namespaces)';

export interface LocalSandboxDeps {
  id: string;
  /** Workspace path as processes inside see it. */
  workdir: string;
  /** bubblewrap gives it private /tmp and /dev/shm (Sandbox.privateTmp). */
  privateTmp: boolean;
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
  /** Lifetime of a preview link when the caller gives none. */
  previewTtlSec: number;
  signPreview(port: number, ttlSec: number): { url: string; expiresAt: Date };
  onStart(): void;
  onUse(): void;
  onStopped(): Promise<void>;
  onDelete(): Promise<void>;
  /** Rewrite the labels in the metadata file. */
  relabel(labels: Record<string, string>): Promise<void>;
  /** The supervisor is gone (stopped, crashed, or never started): release what launch() set up. */
  onSupervisorExit?(): void;
  /**
   * Called before a command: the returned function, called after it, names each sandbox limit the
   * command ran into (memory, processes, disk), one note a limit.
   */
  watchLimits?(): Promise<() => Promise<string[]>>;
  log: Logger;
}

export class LocalSandbox implements Sandbox {
  readonly id: string;
  readonly workdir: string;
  readonly privateTmp: boolean;
  private client?: SupervisorClient;
  private runtimeDir = '';
  private starting?: Promise<SupervisorClient>;
  private readonly contexts: CodeContexts;
  /** Context name → the supervisor's id of its interpreter, to stop what each run leaves behind. */
  private readonly drivers = new Map<string, string>();
  private deleted = false;

  constructor(private readonly d: LocalSandboxDeps) {
    this.id = d.id;
    this.workdir = d.workdir;
    this.privateTmp = d.privateTmp;
    this.contexts = new CodeContexts({
      log: d.log,
      defaultTimeoutMs: d.execTimeoutMs,
      interruptGraceMs: d.interruptGraceMs,
      outputCap: d.outputCap,
      start: (h, context) => this.startDriver(h, context),
    });
  }

  get running(): boolean {
    return this.client?.alive === true;
  }

  async exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const sup = await this.supervisor();
    const limitNotes = await this.watchLimits();
    return await runCommand(sup, cmd, {
      ...opts,
      env: { ...this.d.env, ...checkEnv(opts.env) },
      timeoutMs: opts.timeoutMs ?? this.d.execTimeoutMs,
      limits: this.d.limits,
      outputCap: this.d.outputCap,
      limitNotes,
      onSandboxStopped: () => this.assertExists(),
    });
  }

  async runCode(code: string, opts: RunCodeOptions = {}): Promise<CodeRunResult> {
    const context = opts.context ?? 'default';
    const session = this.contexts.get(context);
    this.d.onUse();
    await this.supervisor(); // started first, so the limit counters are this sandbox's
    const limitNotes = await this.watchLimits();
    const result = await session.run(code, opts);
    // Like a finished /sh: what this run started and left running is stopped; the interpreter stays.
    const driver = this.drivers.get(context);
    const stopped = driver && this.client?.alive ? await this.client.reap(driver).catch(() => 0) : 0;
    const notes = await limitNotes();
    if (stopped) notes.push(`stopped ${processes(stopped)} the code left running`);
    return notes.length ? { ...result, stderr: withNotes(result.stderr, notes) } : result;
  }

  /** Notes naming the limits a command ran into (see LocalSandboxDeps.watchLimits). */
  private async watchLimits(): Promise<() => Promise<string[]>> {
    const after = await this.d.watchLimits?.().catch(() => undefined);
    return async () => (after ? await after().catch(() => []) : []);
  }

  /** Starts one interpreter (src/sandbox/runtime/driver.py) under the supervisor, speaking over its stdio. */
  private async startDriver(h: DriverHandlers, context: string): Promise<DriverTransport> {
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
        onExit: (code, signal) => {
          if (this.drivers.get(context) === id) this.drivers.delete(context);
          h.onExit(signal ? `killed by ${signal}` : `exit code ${code}`);
        },
      },
    );
    this.drivers.set(context, id);
    return {
      send: async (line) => sup.stdin(id, `${line}\n`),
      kill: async () => sup.signal(id, 'KILL'),
    };
  }

  /** A fresh interpreter context (its own driver process under the supervisor). */
  async createContext(): Promise<string> {
    this.d.onUse();
    return await this.contexts.create();
  }

  /** Kills the context's interpreter and whatever it started; the id is not reused. */
  async deleteContext(context: string): Promise<void> {
    await this.contexts.delete(context);
  }

  async startProcess(
    cmd: string,
    opts: { cwd?: string; env?: Record<string, string> } = {},
  ): Promise<ProcessHandle> {
    const sup = await this.supervisor();
    return await startBackground(sup, cmd, {
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      env: { ...this.d.env, ...checkEnv(opts.env) },
      limits: this.d.limits,
      outputCap: this.d.outputCap,
    });
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
    return this.d.signPreview(port, opts.ttlSec ?? this.d.previewTtlSec);
  }

  async setLabels(labels: Record<string, string>): Promise<void> {
    this.assertExists();
    await this.d.relabel({ ...labels });
  }

  /** A shell on a pseudo-terminal inside the sandbox (local-pty.ts). */
  async createPty(opts: PtyCreateOptions): Promise<PtyHandle> {
    const sup = await this.supervisor();
    const env = { ...this.d.env, TERM: 'xterm-256color', ...checkEnv(opts.envs) };
    // JavaScriptCore programs (Claude Code's Bun runtime) reserve gigabytes of address space up
    // front and abort under a small address-space limit; the memory cgroup bounds real use.
    const as = Math.max(this.d.limits.as ?? 0, PTY_MIN_ADDRESS_SPACE);
    try {
      return await openLocalPty({ supervisor: sup, env, limits: { ...this.d.limits, as } }, opts);
    } catch (err) {
      throw asPathError(err);
    }
  }

  /** Connections to 127.0.0.1:<port> inside this sandbox, served by `onConnection` in the gateway. */
  async listenInside(onConnection: (socket: Duplex) => void): Promise<InsideListener> {
    const sup = await this.supervisor();
    const listener = await sup.listen(onConnection);
    return { port: listener.port, close: async () => listener.close() };
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
        let launch: Awaited<ReturnType<LocalSandboxDeps['launch']>>;
        try {
          launch = await this.d.launch();
        } catch (err) {
          this.d.onSupervisorExit?.();
          throw err;
        }
        let client: SupervisorClient;
        try {
          client = await SupervisorClient.start(launch, this.d.log);
        } catch (err) {
          this.d.onSupervisorExit?.();
          const msg = err instanceof Error ? err.message : String(err);
          if (/bwrap|namespace|ENOENT/.test(msg)) throw new SandboxUnavailableError(msg, SANDBOX_FIX_HINT);
          throw err;
        }
        this.runtimeDir = launch.runtimeDir;
        client.onExit((reason) => {
          if (this.client === client) this.client = undefined;
          this.drivers.clear();
          this.d.onSupervisorExit?.();
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
