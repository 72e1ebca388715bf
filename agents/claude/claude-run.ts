// One Claude Code invocation in a sandbox, over a PTY: a shell is started with the per-run proxy
// settings in its environment and told to exec the CLI headless; its stream-json output becomes
// status lines and a result. Cancel (or timeout) types Ctrl-C, then kills the session after a grace.

import type { Logger } from 'pino';
import type { PtyHandle, PtyResult, Sandbox } from '../../src/sandbox/provider.js';
import type { Progress } from '../agent.js';
import { type CliEvent, StreamJsonReader } from './stream-json.js';
import { changedFile, toolStatus } from './tool-status.js';

export interface ClaudeRunOptions {
  sandbox: Sandbox & Required<Pick<Sandbox, 'createPty'>>;
  /** The CLI's path inside the sandbox. */
  bin: string;
  /** ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY: the model proxy and this run's token — never the key. */
  baseUrl: string;
  token: string;
  model: string;
  task: string;
  /** A session of this conversation to continue (`--resume`). */
  resume?: string;
  signal: AbortSignal;
  /** Ends the run like a cancel (a budget refusal: the CLI would only retry). */
  stopWhen?: AbortSignal;
  timeoutMs: number;
  /** How long the CLI gets after Ctrl-C before the session is killed. */
  interruptGraceMs: number;
  emit(p: Progress): void;
  log: Logger;
}

export interface ClaudeRunOutcome {
  result?: Extract<CliEvent, { type: 'result' }>;
  /** The CLI's session id (from its init line or its result). */
  sessionId?: string;
  exit: PtyResult;
  stopped?: 'cancelled' | 'timeout' | 'refused';
  /** Workspace files the CLI's tools wrote or edited, in order, without repeats. */
  files: string[];
  /** The last lines that were not stream-json (the CLI's own errors), for a failure reply. */
  otherLines: string[];
  /** The ended session; kill() also stops what the CLI left running (servers). */
  pty: PtyHandle;
}

/** Environment that keeps the CLI from phoning anywhere but the proxy, and from updating itself. */
const QUIET_ENV: Record<string, string> = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_ERROR_REPORTING: '1',
  DISABLE_BUG_COMMAND: '1',
  CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
};

/**
 * The line typed into the shell. Everything variable travels in the environment, so nothing needs
 * quoting and the line stays far below the terminal's 4096-byte input limit; `--` keeps a task that
 * starts with `-` from being read as a flag.
 */
function commandLine(resume: boolean): string {
  return [
    'exec "$SANDGATE_CLAUDE_BIN" -p --output-format stream-json --verbose --dangerously-skip-permissions',
    '--model "$SANDGATE_CLAUDE_MODEL"',
    ...(resume ? ['--resume "$SANDGATE_CLAUDE_SESSION"'] : []),
    '-- "$SANDGATE_CLAUDE_TASK"',
  ].join(' ');
}

export async function runClaude(o: ClaudeRunOptions): Promise<ClaudeRunOutcome> {
  const files: string[] = [];
  let result: ClaudeRunOutcome['result'];
  let sessionId: string | undefined;
  const reader = new StreamJsonReader((e) => {
    if (e.type === 'init') sessionId = e.sessionId;
    else if (e.type === 'result') {
      result = e;
      sessionId = e.sessionId ?? sessionId;
    } else if (e.type === 'tool_use') {
      o.emit({ text: toolStatus(e.name, e.input, o.sandbox.workdir), kind: 'tool' });
      const file = changedFile(e.name, e.input, o.sandbox.workdir);
      if (file && !files.includes(file)) files.push(file);
    }
  });
  const pty = await o.sandbox.createPty({
    id: `sandgate-claude-${Date.now().toString(36)}`,
    cols: 400,
    rows: 50,
    envs: {
      ...QUIET_ENV,
      ANTHROPIC_BASE_URL: o.baseUrl,
      ANTHROPIC_API_KEY: o.token,
      SANDGATE_CLAUDE_BIN: o.bin,
      SANDGATE_CLAUDE_MODEL: o.model,
      SANDGATE_CLAUDE_TASK: o.task,
      ...(o.resume ? { SANDGATE_CLAUDE_SESSION: o.resume } : {}),
    },
    onData: (data) => reader.push(data),
  });
  let stopped: ClaudeRunOutcome['stopped'];
  const ended = pty.wait();
  const stop = (why: NonNullable<ClaudeRunOutcome['stopped']>) => {
    if (stopped) return;
    stopped = why;
    o.log.info({ why }, 'claude: interrupting the CLI');
    void pty.sendInput(new Uint8Array([3])).catch(() => undefined);
    const grace = setTimeout(() => void pty.kill().catch(() => undefined), o.interruptGraceMs);
    void ended.finally(() => clearTimeout(grace));
  };
  const onAbort = () => stop('cancelled');
  const onRefused = () => stop('refused');
  const timer = setTimeout(() => stop('timeout'), o.timeoutMs);
  o.signal.addEventListener('abort', onAbort, { once: true });
  o.stopWhen?.addEventListener('abort', onRefused, { once: true });
  try {
    if (o.signal.aborted) onAbort();
    else await pty.sendInput(`${commandLine(o.resume !== undefined)}\n`);
    const exit = await ended;
    reader.end();
    return {
      ...(result ? { result } : {}),
      ...(sessionId ? { sessionId } : {}),
      exit,
      ...(stopped ? { stopped } : {}),
      files,
      otherLines: reader.other,
      pty,
    };
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', onAbort);
    o.stopWhen?.removeEventListener('abort', onRefused);
  }
}
