// The SandboxProvider port, shaped after the Daytona SDK so the local (bubblewrap) and the
// Daytona providers both fit. Everything an agent or /sh, /py does runs behind this port.

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

/**
 * A request from code running in the sandbox back to the gateway (RLM: llm_query, rlm_query).
 * The handler runs in the gateway, where the keys are, and its answer is sent back to the code.
 */
export type HostCallHandler = (method: string, params: unknown) => Promise<unknown>;

export interface RunCodeOptions {
  /** Interpreter context id; globals persist per context. Default: `default`. */
  context?: string;
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

export interface FileEntry {
  path: string;
  size: number;
  isDir: boolean;
}

export interface Sandbox {
  readonly id: string;
  /** Absolute path of the workspace as seen from inside the sandbox. */
  readonly workdir: string;
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

export interface SandboxProvider {
  readonly name: 'local' | 'daytona';
  create(spec: SandboxSpec): Promise<Sandbox>;
  get(id: string): Promise<Sandbox | undefined>;
  list(filter?: { labels?: Record<string, string> }): Promise<SandboxInfo[]>;
}
