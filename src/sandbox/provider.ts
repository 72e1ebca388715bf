// The SandboxProvider port, shaped after the Daytona SDK so the local (bubblewrap) and the
// Daytona providers both fit. Everything an agent or /sh, /py does runs behind this port.

import type { Duplex } from 'node:stream';
import type { PreviewTokens } from './preview/preview-tokens.js';

export interface SandboxSpec {
  /** Labels for finding it again (`sandgate`, `conversation`). */
  labels: Record<string, string>;
  /** Extra environment for commands. Never secrets: the gateway keeps those. */
  env?: Record<string, string>;
  network?: 'off' | 'host';
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Processes the command started and left running, stopped when it ended (local provider). */
  stray?: number;
}

/** Mirrors Daytona's chart objects. */
export interface Chart {
  type: 'line' | 'scatter' | 'bar' | 'pie' | 'unknown' | string;
  title: string;
  png: Buffer;
  x_label?: string;
  y_label?: string;
  elements?: unknown[];
}

export interface CodeError {
  name: string;
  value: string;
  traceback: string;
}

/** What a host call handler gets besides the call itself. */
export interface HostCall {
  /**
   * Aborted when the run that made the call ends before the call does: cancelled (the run's
   * signal), finished, killed, or its interpreter died. Pass it on to sub-calls (model requests,
   * sub-agents) so /cancel reaches them; the answer of an aborted call is dropped.
   */
  signal: AbortSignal;
}

/**
 * A request from code running in the sandbox back to the gateway (RLM: llm_query, rlm_query).
 * The handler runs in the gateway, where the keys are, and its answer (JSON) is sent back to the
 * code; a thrown error reaches the code as sandgate.HostCallError with its message. While a call
 * is in flight the run's timeout does not count, so the handler bounds its own time.
 */
export type HostCallHandler = (method: string, params: unknown, call: HostCall) => Promise<unknown>;

export interface RunCodeOptions {
  /** Interpreter context id; globals persist per context. Default: `default`. */
  context?: string;
  /** Wall-clock limit of the code itself; time spent waiting on host calls is not counted. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onStdout?: (chunk: string) => void;
  onHostCall?: HostCallHandler;
}

export interface CodeRunResult {
  stdout: string;
  stderr: string;
  error?: CodeError;
  charts: Chart[];
  timedOut?: boolean;
}

export interface ProcessHandle {
  id: string;
  pid?: number;
  logs(): Promise<string>;
  running(): Promise<boolean>;
  kill(): Promise<void>;
}

/**
 * Options of Sandbox.createPty, shaped after Daytona's `process.createPty` (PtyCreateOptions &
 * PtyConnectOptions): a login-less shell on a pseudo-terminal, as the sandbox user, in `cwd`.
 */
export interface PtyCreateOptions {
  /** Unique per sandbox while the session lives (Daytona requires one). */
  id: string;
  /** Starting directory, relative to the workspace or absolute inside it; default the workspace. */
  cwd?: string;
  /** Environment over the sandbox's own (checked like exec's env). Never secrets. */
  envs?: Record<string, string>;
  /** Terminal size; defaults 80×24, as Daytona's. */
  cols?: number;
  rows?: number;
  /** Terminal output as it arrives (the line discipline turns `\n` into `\r\n`). */
  onData: (data: Uint8Array) => void;
}

/** How a PTY session ended (Daytona's PtyResult): the shell's exit code, or why it failed. */
export interface PtyResult {
  exitCode?: number;
  error?: string;
}

/** One PTY session (Daytona's PtyHandle, the members sandgate uses). */
export interface PtyHandle {
  readonly sessionId: string;
  /** Keystrokes: `ls\n`, or `\x03` for Ctrl-C (SIGINT to the foreground process group). */
  sendInput(data: string | Uint8Array): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves when the shell (or what it exec'd) exits, however it ends. */
  wait(): Promise<PtyResult>;
  /** Ends the session's process and everything it started. */
  kill(): Promise<void>;
  /** Stops receiving output; the process keeps running (Daytona semantics). */
  disconnect(): Promise<void>;
}

/** A port inside the sandbox whose connections the gateway serves (see Sandbox.listenInside). */
export interface InsideListener {
  /** The loopback port inside the sandbox (127.0.0.1:port). */
  port: number;
  /** Stops accepting; open connections run on until either side closes them. */
  close(): Promise<void>;
}

export interface FileEntry {
  path: string;
  size: number;
  isDir: boolean;
}

export interface Sandbox {
  readonly id: string;
  /** Absolute path of the workspace as seen from inside the sandbox. */
  readonly workdir: string;
  /**
   * Set when /tmp and /dev/shm inside are this sandbox's own (local bubblewrap: private tmpfs), so
   * clearing them touches nothing else. Unset where they may be shared (a local sandbox without
   * isolation runs on the host's; Daytona's protocol fake runs commands on this machine).
   */
  readonly privateTmp?: boolean;
  exec(cmd: string, opts?: ExecOptions): Promise<ExecResult>;
  runCode(code: string, opts?: RunCodeOptions): Promise<CodeRunResult>;
  startProcess(cmd: string, opts?: { cwd?: string; env?: Record<string, string> }): Promise<ProcessHandle>;
  writeFile(path: string, data: Buffer | string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  listFiles(path?: string): Promise<FileEntry[]>;
  previewUrl(port: number, opts?: { ttlSec?: number }): Promise<{ url: string; expiresAt: Date }>;
  /**
   * Replace the labels list() filters on (the warm pool hands a member to a conversation this way).
   * Optional: a provider without it gets fresh sandboxes instead of pooled ones.
   */
  setLabels?(labels: Record<string, string>): Promise<void>;
  /**
   * Optional: a PTY session (local: a pseudo-terminal made by the supervisor inside the sandbox;
   * Daytona: `process.createPty`). Rejects when the sandbox cannot start one.
   */
  createPty?(opts: PtyCreateOptions): Promise<PtyHandle>;
  /**
   * Optional (local): listen on a free loopback port inside the sandbox's own network namespace and
   * hand each connection, carried over the supervisor's channel, to `onConnection` in the gateway —
   * the reverse of connectPort. Nothing outside the sandbox can reach that port.
   */
  listenInside?(onConnection: (socket: Duplex) => void): Promise<InsideListener>;
  /**
   * Optional (both providers): a new interpreter context, already started, as Daytona's
   * `codeInterpreter.createContext()`; returns its id for RunCodeOptions.context. Its variables are
   * its own; it lives until deleteContext (or the sandbox stops). Errors: the interpreter could not start.
   */
  createContext?(): Promise<string>;
  /**
   * Optional: ends a context's interpreter at once (SIGKILL locally; Daytona: its session), as
   * Daytona's `codeInterpreter.deleteContext()`. A run in it ends with error InterpreterDied.
   * An unknown id is a no-op.
   */
  deleteContext?(context: string): Promise<void>;
  stop(): Promise<void>;
  delete(): Promise<void>;
}

export interface SandboxInfo {
  id: string;
  provider: 'local' | 'daytona';
  labels: Record<string, string>;
  state: 'running' | 'stopped' | 'unknown';
  createdAt?: Date;
  /** Last time the gateway used it, when the provider knows (idle clean-up). */
  lastActivityAt?: Date;
}

/**
 * A run's child sandbox (RunContext.spawnSandbox): holds a slot of sandbox.maxLive from create to
 * delete, and is deleted when the run ends if the agent did not delete it first.
 */
export interface ChildSandboxSpec {
  /** Extra labels (e.g. `{ rlm: 'agent-3' }`); sandgate's own (`sandgate`, `run`) always win. */
  labels?: Record<string, string>;
  /** Non-secret env, over the gateway's sandbox env. */
  env?: Record<string, string>;
  network?: 'off' | 'host';
  /** What it is for, in logs and slot listings (`rlm depth 2`). */
  purpose?: string;
  /**
   * The sandbox whose code waits for this child (an RLM parent at depth ≥ 1); default the
   * conversation's. It is never reclaimed while the child lives, and counts as blocked while the
   * child waits for a slot (so a wait that could never end is refused instead of hanging).
   */
  parent?: Sandbox;
  /** Wait this long for a free slot when the cap is reached; default sandbox.childWaitSec; 0 = refuse at once. */
  waitMs?: number;
  /** Ends the wait early (one batch item); the run's own cancel always does. */
  signal?: AbortSignal;
}

export interface SandboxProvider {
  readonly name: 'local' | 'daytona';
  create(spec: SandboxSpec): Promise<Sandbox>;
  get(id: string): Promise<Sandbox | undefined>;
  list(filter?: { labels?: Record<string, string> }): Promise<SandboxInfo[]>;
  /**
   * Optional (local): previews go through the gateway's own proxy (/preview/<token>/), signed with
   * these tokens. A provider without connectPort hands out its own preview URLs (Daytona's signed
   * links) and no proxy is mounted.
   */
  readonly previewTokens?: PreviewTokens;
  /** A stream to 127.0.0.1:port inside a running sandbox, for the preview proxy. */
  connectPort?(sandboxId: string, port: number): Promise<Duplex>;
  /**
   * Optional: at gateway start, set up what the provider needs before its first sandbox (local: the
   * whole-sandbox limits, logging which are enforced and which are not, and why).
   */
  init?(): Promise<void>;
  /** Optional: stop what the provider runs itself at gateway shutdown (local: every sandbox). */
  shutdown?(): Promise<void>;
}
