// Team mode: a project-manager agent plans and delegates <developer_task> blocks to the developer
// (the coding session), reviews each <developer_result>, and ends with TASK_COMPLETE. Bounded by
// agents.teamMaxRounds; a model failure or /cancel ends it with what was done so far.

import type { Logger } from 'pino';
import { addUsage, emptyUsage, type ModelClient, type UsageTotals } from '../../src/model/types.js';
import type { ProcessHandle, Sandbox } from '../../src/sandbox/provider.js';
import type { Progress, Task, ToolCallRecorder } from '../agent.js';
import { runToolLoop, type ToolLoopResult } from '../tool-loop/run-tool-loop.js';
import { stopNote } from '../tool-loop/stop-note.js';
import { appendUserText } from '../tool-loop/thread-messages.js';
import { firstLine } from '../tool-loop/truncate.js';
import { type CodingConfig, runCodingSession, taskPrompt } from './coding-session.js';
import { composeReply, iterationLimit, summaryLines } from './final-reply.js';
import { RunState } from './run-state.js';
import { type PromptFacts, projectManagerSystemPrompt } from './system-prompt.js';
import type { ThreadStore } from './thread-store.js';

export const PM_AGENT = 'project-manager';
export const DEV_AGENT = 'developer';
export const DEV_THREAD = 'coding';
const COMPLETE = /\bTASK_COMPLETE\b/;
const TASK_BLOCK = /<developer_task>([\s\S]*?)<\/developer_task>/g;

export interface TeamRunArgs {
  model: ModelClient;
  config: CodingConfig;
  threads: ThreadStore;
  task: Task;
  sandbox: Sandbox;
  facts: PromptFacts;
  servers: Map<string, ProcessHandle>;
  signal: AbortSignal;
  emit(p: Progress): void;
  onToolCall?: ToolCallRecorder | undefined;
  log: Logger;
}

export interface TeamRunResult {
  text: string;
  state: RunState;
  usage: UsageTotals;
}

export function developerTasks(text: string): string[] {
  return [...text.matchAll(TASK_BLOCK)].map((m) => (m[1] ?? '').trim()).filter(Boolean);
}

function forUser(pmText: string): string {
  return pmText.replace(TASK_BLOCK, '').replace(COMPLETE, '').trim();
}

export async function runTeam(a: TeamRunArgs): Promise<TeamRunResult> {
  const key = a.task.conversationKey;
  const state = new RunState();
  let usage = emptyUsage();
  let pmMessages = appendUserText(a.threads.load(key, PM_AGENT) ?? [], taskPrompt(a.task));
  const say = (agent: string, text: string, kind: Progress['kind']) => a.emit({ agent, text, kind });
  const maxRounds = a.config.agents.teamMaxRounds;
  let lastPm = '';
  let note: string | undefined;

  for (let round = 1; ; round++) {
    const pm: ToolLoopResult = await runToolLoop({
      model: a.model,
      call: { runId: a.task.runId, senderKey: a.task.senderId },
      system: projectManagerSystemPrompt(a.facts),
      tools: [],
      messages: pmMessages,
      maxIterations: 1,
      signal: a.signal,
      emit: a.emit,
      onToolCall: a.onToolCall,
      log: a.log,
      agent: PM_AGENT,
      contextTokens: a.config.agents.contextTokens,
    });
    pmMessages = pm.messages;
    usage = addUsage(usage, pm.usage);
    if (pm.stop === 'aborted' || pm.stop === 'model_error') {
      note = stopNote(pm, iterationLimit(a.config));
      break;
    }
    lastPm = pm.finalText;
    const tasks = developerTasks(lastPm);
    if (COMPLETE.test(lastPm) || tasks.length === 0) {
      say(PM_AGENT, 'task complete', 'status');
      break;
    }
    if (round > maxRounds) {
      note = `The team stopped after ${maxRounds} rounds (agents.teamMaxRounds) without the project manager signing off.`;
      break;
    }
    const reports: string[] = [];
    for (const t of tasks) {
      say(PM_AGENT, `delegating: ${firstLine(t, 100)}`, 'model');
      const devState = new RunState();
      const dev = await runCodingSession({
        model: a.model,
        config: a.config,
        task: a.task,
        sandbox: a.sandbox,
        facts: a.facts,
        messages: appendUserText(a.threads.load(key, DEV_THREAD) ?? [], t),
        state: devState,
        servers: a.servers,
        signal: a.signal,
        emit: a.emit,
        onToolCall: a.onToolCall,
        log: a.log,
        agent: DEV_AGENT,
      });
      a.threads.save(key, DEV_THREAD, dev.messages);
      usage = addUsage(usage, dev.usage);
      for (const f of devState.changedFiles) state.fileChanged(f);
      for (const p of devState.previews.values()) state.preview(p);
      const devNote = stopNote(dev, iterationLimit(a.config));
      reports.push([dev.finalText, devNote, ...summaryLines(devState)].filter(Boolean).join('\n'));
      if (dev.stop === 'aborted' || dev.stop === 'model_error') {
        note = devNote;
        break;
      }
    }
    if (note) break;
    pmMessages = appendUserText(
      pmMessages,
      `<developer_result>\n${reports.join('\n\n')}\n</developer_result>\nReview this against the request. Delegate more work if needed, or finish with TASK_COMPLETE.`,
    );
  }
  a.threads.save(key, PM_AGENT, pmMessages);
  return { text: composeReply(forUser(lastPm), note, state), state, usage };
}
