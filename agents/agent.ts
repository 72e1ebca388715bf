// The Agent port: an agent turns a task into a result, working in the conversation's sandbox.
// Agents never see channel or model secrets; they get a model client and a sandbox handle.

import type { Logger } from 'pino';
import type { ModelClient } from '../src/model/types.js';
import type { Chart, Sandbox } from '../src/sandbox/provider.js';

export type AgentName = 'coding' | 'analysis' | 'rlm';

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

export interface RunContext {
  /** The conversation's leased sandbox (created lazily on first use). */
  sandbox(): Promise<Sandbox>;
  /** Model client (calls run in the gateway, where the key is); absent when no key is configured. */
  model?: ModelClient;
  emit(progress: Progress): void;
  signal: AbortSignal;
  log: Logger;
}

export interface RunResult {
  text: string;
  charts?: Chart[];
  files?: { name: string; data: Buffer }[];
  links?: { url: string; label?: string }[];
  usage?: {
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens?: number;
    cacheWriteTokens?: number;
    costUsd?: number;
  };
}

export interface Agent {
  readonly name: AgentName;
  run(task: Task, ctx: RunContext): Promise<RunResult>;
  /**
   * Plain text with attachments goes to the agent that claims them (the analysis agent claims
   * datasets) unless the conversation has explicitly picked an agent.
   */
  claimsAttachments?(files: { name: string; mime: string }[]): boolean;
  /** /new: forget this conversation's thread. */
  reset?(conversationKey: string): Promise<void>;
}
