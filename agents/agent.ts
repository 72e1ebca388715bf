// The Agent port: an agent turns a task into a result, working in the conversation's sandbox.
// Agents never see channel or model secrets; they get a model client and a sandbox handle.

import type { Logger } from 'pino';
import type { ModelClient, RunUsage } from '../src/model/types.js';
import type { Chart, ChildSandboxSpec, Sandbox } from '../src/sandbox/provider.js';
import type { ToolCallDetail } from '../src/store/repos/tool-calls-repo.js';

/**
 * Lower-case, unique among the agents: `coding`, `analysis`, … The gateway knows no list of them;
 * `agents.default` names one, and the runs table records it as the run's kind.
 */
export type AgentName = string;

export interface TaskFile {
  name: string;
  mime: string;
  size: number;
  /** Path inside the sandbox workspace where the gateway saved it, when it did. */
  sandboxPath?: string;
  fetch(): Promise<Buffer>;
}

export interface Task {
  runId: number;
  conversationKey: string;
  senderId: string;
  text: string;
  files: TaskFile[];
  /** Agent-specific flags parsed from the command (`--team`). */
  options: Record<string, string | boolean>;
}

/** One short progress line (`wrote index.html`, `ran npm test — exit 0`). */
export interface Progress {
  text: string;
  /** Which agent said it, when several collaborate (team mode). */
  agent?: string;
  kind?: 'tool' | 'status' | 'model';
}

/** Receives each finished tool call of a run (the dashboard's run page, `sandgate runs show`). */
export type ToolCallRecorder = (call: ToolCallDetail, agent?: string) => void;

export interface RunContext {
  /** The conversation's leased sandbox (created lazily on first use). */
  sandbox(): Promise<Sandbox>;
  /**
   * A fresh child sandbox for this run (an RLM sub-agent's, a scratch one): counted against
   * sandbox.maxLive, and deleted when the run ends however it ends (delete() it earlier to free
   * its slot). When the cap is reached it waits up to `spec.waitMs` (default sandbox.childWaitSec)
   * for a slot, then rejects with SandboxCapacityError — at once if waiting could deadlock; it
   * rejects with the run's abort reason on /cancel.
   */
  spawnSandbox(spec?: ChildSandboxSpec): Promise<Sandbox>;
  /** Model client (calls run in the gateway, where the key is); absent when no key is configured. */
  model?: ModelClient;
  emit(progress: Progress): void;
  /**
   * Keeps one finished tool call for the run page (`agent` when several collaborate); absent where
   * nothing keeps them (tests, benches). Passed down, not looked up: Node 20's AsyncLocalStorage
   * would slow every promise in the gateway.
   */
  recordToolCall?: ToolCallRecorder | undefined;
  signal: AbortSignal;
  log: Logger;
}

export interface RunResult {
  text: string;
  charts?: Chart[];
  files?: { name: string; data: Buffer }[];
  links?: { url: string; label?: string }[];
  usage?: RunUsage;
}

/** A task and its flags, as an agent command's arguments are understood. */
export interface ParsedTask {
  text: string;
  options: Task['options'];
}

/**
 * The chat command an agent answers to (`/code`): the gateway registers it, lists it in /help and
 * the channels' command menus, and on use switches the conversation to this agent and runs the task.
 */
export interface AgentCommand {
  /** Without the slash: `code` → `/code`. 1–32 of a-z, 0-9 and `_` (Telegram's rule for bot commands). */
  name: string;
  /** After the slash in /help: `code [--team] TASK`. */
  usage: string;
  /** One line for /help and the Telegram menu (Telegram cuts it at 256 characters). */
  summary: string;
  /**
   * Leading `--flags` the command accepts: `boolean` (`--team`, `--team=false`) or `string`
   * (`--repo URL`, `--repo=URL`). They land in `Task.options`; an undeclared flag gets a usage reply.
   */
  flags?: Record<string, 'boolean' | 'string'>;
  /**
   * Instead of `flags`, for arguments that are not flags (`/gen python …`): the task, or a string
   * that is sent back as the reply (a usage message) and runs nothing.
   */
  parse?(args: string): ParsedTask | string;
}

export interface Agent {
  readonly name: AgentName;
  /** Its chat command; without one the agent is reached only as `agents.default` or by attachments. */
  readonly command?: AgentCommand;
  run(task: Task, ctx: RunContext): Promise<RunResult>;
  /**
   * Plain text with attachments goes to the agent that claims them (the analysis agent claims
   * datasets) unless the conversation has explicitly picked an agent.
   */
  claimsAttachments?(files: { name: string; mime: string }[]): boolean;
  /** /new: forget this conversation's thread. */
  reset?(conversationKey: string): Promise<void>;
}
