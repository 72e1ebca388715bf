// One developer session: the coding tools around the conversation's sandbox, driven by the shared
// tool loop. Used directly by the coding agent and as the developer half of team mode.

import type { Logger } from 'pino';
import type { Config } from '../../src/config/schema.js';
import type { MessageParam, ModelClient } from '../../src/model/types.js';
import type { ProcessHandle, Sandbox } from '../../src/sandbox/provider.js';
import { quotedFileName } from '../../src/text/file-name.js';
import type { Progress, Task, ToolCallRecorder } from '../agent.js';
import { runToolLoop, type ToolLoopResult } from '../tool-loop/run-tool-loop.js';
import type { RunState } from './run-state.js';
import type { PromptFacts } from './system-prompt.js';
import { codingSystemPrompt } from './system-prompt.js';
import { codingTools } from './tools/index.js';

export type CodingConfig = Pick<Config, 'agents' | 'sandbox'>;

export interface CodingSessionArgs {
  model: ModelClient;
  config: CodingConfig;
  task: Pick<Task, 'runId' | 'senderId'>;
  sandbox: Sandbox;
  facts: PromptFacts;
  messages: MessageParam[];
  state: RunState;
  servers: Map<string, ProcessHandle>;
  signal: AbortSignal;
  emit(p: Progress): void;
  onToolCall?: ToolCallRecorder | undefined;
  log: Logger;
  /** Progress attribution in team mode (`developer`). */
  agent?: string;
}

export function runCodingSession(a: CodingSessionArgs): Promise<ToolLoopResult> {
  const tools = codingTools({
    sandbox: a.sandbox,
    state: a.state,
    servers: a.servers,
    bashTimeoutSec: a.config.sandbox.execTimeoutSec,
    log: a.log,
  });
  return runToolLoop({
    model: a.model,
    call: { runId: a.task.runId, senderKey: a.task.senderId },
    system: codingSystemPrompt(a.facts),
    tools,
    messages: a.messages,
    maxIterations: a.config.agents.maxIterations,
    signal: a.signal,
    emit: a.emit,
    onToolCall: a.onToolCall,
    log: a.log,
    maxToolResultChars: a.config.agents.maxToolResultChars,
    contextTokens: a.config.agents.contextTokens,
    ...(a.agent ? { agent: a.agent } : {}),
  });
}

/** Facts for the system prompt; one real preview link shows users' URL pattern (best effort). */
export async function promptFacts(sandbox: Sandbox, log: Logger): Promise<PromptFacts> {
  try {
    const { url } = await sandbox.previewUrl(8000);
    return { workdir: sandbox.workdir, previewExample: { port: 8000, url } };
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'no preview link example for the prompt');
    return { workdir: sandbox.workdir };
  }
}

/** The user's message, plus where the gateway saved their attachments. */
export function taskPrompt(task: Pick<Task, 'text' | 'files'>): string {
  const saved = task.files.filter((f) => f.sandboxPath);
  if (saved.length === 0) return task.text;
  // Names come from the sender: quoted as data, never as a line of their own.
  const list = saved
    .map((f) => `- ${f.sandboxPath} (sent as ${quotedFileName(f.name)}, ${f.mime}, ${f.size} bytes)`)
    .join('\n');
  return `${task.text}\n\nAttached files (saved in the workspace):\n${list}`;
}
