// The tool-use loop every agent shares: model turn → run the requested tools → send results → repeat,
// bounded by maxIterations, abortable at any point, compacting old turns near the context limit.
// Model failures end the loop with stop='model_error' (never a throw) so the agent can still report.

import type Anthropic from '@anthropic-ai/sdk';
import type { Logger } from 'pino';
import { ModelAbortedError, ModelError } from '../../src/model/errors.js';
import {
  addUsage,
  emptyUsage,
  type MessageParam,
  type ModelClient,
  type UsageTotals,
} from '../../src/model/types.js';
import type { Progress, ToolCallRecorder } from '../agent.js';
import { RunAbortedError, raceAbort } from './abort.js';
import { compactMessages, estimateTokens } from './compaction.js';
import { textOf } from './thread-messages.js';
import type { LoopTool, ToolOutcome } from './tool.js';
import { firstLine, truncateMiddle } from './truncate.js';

export type LoopStop = 'done' | 'max_iterations' | 'max_tokens' | 'aborted' | 'model_error';

export interface ToolLoopOptions {
  model: ModelClient;
  /** Who pays: usage is recorded per run, budgeted per sender. */
  call: { runId: number; senderKey: string };
  system: string;
  tools: LoopTool[];
  /** The thread so far, ending with the new user turn. Not mutated. */
  messages: MessageParam[];
  maxIterations: number;
  signal: AbortSignal;
  emit(progress: Progress): void;
  /** Each finished tool call, for the run page (RunContext.recordToolCall). */
  onToolCall?: ToolCallRecorder | undefined;
  log: Logger;
  /** Set on every progress event (team mode). */
  agent?: string;
  maxToolResultChars?: number;
  /** Context window to plan for; compaction starts at 75% of it. */
  contextTokens?: number;
  maxTokens?: number;
  /** Model text as it streams in (for channels that can show it live). */
  onText?: (delta: string) => void;
}

export interface ToolCallRecord {
  name: string;
  input: unknown;
  outcome: ToolOutcome;
}

export interface ToolLoopResult {
  stop: LoopStop;
  /** The last assistant text (the answer, when stop is 'done'). */
  finalText: string;
  /** The whole thread including this run, ready to persist. */
  messages: MessageParam[];
  usage: UsageTotals;
  iterations: number;
  toolCalls: ToolCallRecord[];
  compactions: number;
  error?: ModelError;
}

const COMPACT_AT = 0.75;
const KEEP_RECENT = 4;

/**
 * The assistant turn as it must be sent back. Thinking blocks are kept verbatim: models that think
 * between tool calls reject a tool loop whose earlier thinking (and its signature) went missing.
 */
function toParams(content: Anthropic.ContentBlock[]): Anthropic.ContentBlockParam[] {
  const out: Anthropic.ContentBlockParam[] = [];
  for (const b of content) {
    if (b.type === 'text') out.push({ type: 'text', text: b.text });
    else if (b.type === 'tool_use') out.push({ type: 'tool_use', id: b.id, name: b.name, input: b.input });
    else if (b.type === 'thinking')
      out.push({ type: 'thinking', thinking: b.thinking, signature: b.signature });
    else if (b.type === 'redacted_thinking') out.push({ type: 'redacted_thinking', data: b.data });
  }
  return out;
}

export async function runToolLoop(opts: ToolLoopOptions): Promise<ToolLoopResult> {
  const { model, signal, log } = opts;
  const byName = new Map(opts.tools.map((t) => [t.name, t]));
  const definitions = opts.tools.map((t) => t.definition);
  const maxChars = opts.maxToolResultChars ?? 20_000;
  const limit = opts.contextTokens ?? 180_000;
  const emit = (text: string, kind: Progress['kind']) =>
    opts.emit({ text, kind, ...(opts.agent ? { agent: opts.agent } : {}) });

  let messages = [...opts.messages];
  let usage = emptyUsage();
  let finalText = '';
  let lastContextTokens = 0;
  let compactions = 0;
  const toolCalls: ToolCallRecord[] = [];
  const result = (stop: LoopStop, iterations: number, error?: ModelError): ToolLoopResult => ({
    stop,
    finalText,
    messages,
    usage,
    iterations,
    toolCalls,
    compactions,
    ...(error ? { error } : {}),
  });

  for (let i = 1; i <= opts.maxIterations; i++) {
    if (signal.aborted) return result('aborted', i - 1);
    const estimate = Math.max(lastContextTokens, estimateTokens(opts.system, definitions, messages));
    if (estimate > limit * COMPACT_AT) {
      const compacted = compactMessages(messages, KEEP_RECENT);
      const after = estimateTokens(opts.system, definitions, compacted);
      log.info({ before: estimate, after }, 'compacted older turns');
      messages = compacted;
      compactions++;
      lastContextTokens = 0;
      emit('compacted older turns to stay within the context window', 'status');
    }

    let turn: Awaited<ReturnType<ModelClient['turn']>>;
    try {
      turn = await model.turn(
        {
          system: opts.system,
          ...(definitions.length ? { tools: definitions } : {}),
          messages,
          ...(opts.maxTokens ? { maxTokens: opts.maxTokens } : {}),
        },
        {
          ...opts.call,
          signal,
          ...(opts.onText ? { onText: opts.onText } : {}),
          onRetry: (n) =>
            emit(`model busy (${n.reason}), retrying in ${Math.ceil(n.delayMs / 1000)} s`, 'status'),
        },
      );
    } catch (err) {
      if (err instanceof ModelAbortedError || signal.aborted) return result('aborted', i);
      if (err instanceof ModelError) return result('model_error', i, err);
      throw err;
    }
    usage = addUsage(usage, turn.usage);
    const u = turn.message.usage;
    lastContextTokens =
      (u.input_tokens ?? 0) +
      (u.cache_read_input_tokens ?? 0) +
      (u.cache_creation_input_tokens ?? 0) +
      (u.output_tokens ?? 0);

    const content = toParams(turn.message.content);
    messages.push({
      role: 'assistant',
      content: content.length ? content : [{ type: 'text', text: '(no answer)' }],
    });
    const text = textOf(content);
    if (text) finalText = text;
    const uses = content.filter((b): b is Anthropic.ToolUseBlockParam => b.type === 'tool_use');
    if (uses.length === 0)
      return result(turn.message.stop_reason === 'max_tokens' ? 'max_tokens' : 'done', i);
    if (text) emit(firstLine(text, 200), 'model');

    const cutOff = turn.message.stop_reason === 'max_tokens';
    const turnTokens = {
      input: u.input_tokens ?? 0,
      output: u.output_tokens ?? 0,
      cacheRead: u.cache_read_input_tokens ?? 0,
      cacheWrite: u.cache_creation_input_tokens ?? 0,
    };
    const results: Anthropic.ToolResultBlockParam[] = [];
    let final = false;
    for (const use of uses) {
      const started = performance.now();
      const outcome = signal.aborted
        ? { content: 'Cancelled by the user before this tool ran.', isError: true }
        : cutOff
          ? {
              content: 'Your output hit max_tokens and this call was cut off; send smaller pieces.',
              isError: true,
            }
          : await runOne(byName.get(use.name), use, signal, log);
      toolCalls.push({ name: use.name, input: use.input, outcome });
      if (outcome.final) final = true;
      recordToolCall(
        opts.onToolCall,
        {
          name: use.name,
          input: use.input,
          output: outcome.content,
          isError: outcome.isError === true,
          durationMs: performance.now() - started,
          tokens: turnTokens,
        },
        opts.agent,
      );
      if (outcome.progress && !signal.aborted) emit(outcome.progress, 'tool');
      results.push({
        type: 'tool_result',
        tool_use_id: use.id,
        content: truncateMiddle(outcome.content, maxChars),
        ...(outcome.isError ? { is_error: true } : {}),
      });
    }
    messages.push({ role: 'user', content: results });
    if (signal.aborted) return result('aborted', i);
    if (final) return result('done', i);
  }
  return result('max_iterations', opts.maxIterations);
}

async function runOne(
  tool: LoopTool | undefined,
  use: Anthropic.ToolUseBlockParam,
  signal: AbortSignal,
  log: Logger,
): Promise<ToolOutcome> {
  if (!tool)
    return { content: `Unknown tool "${use.name}".`, isError: true, progress: `unknown tool ${use.name}` };
  try {
    return await raceAbort(tool.run(use.input, { signal }), signal);
  } catch (err) {
    if (err instanceof RunAbortedError || signal.aborted) {
      return { content: 'Cancelled by the user while this tool was running.', isError: true };
    }
    const message = err instanceof Error ? err.message : String(err);
    log.warn({ tool: use.name, err: message }, 'tool failed');
    return {
      content: `${use.name} failed: ${message}`,
      isError: true,
      progress: `${use.name} failed: ${firstLine(message, 80)}`,
    };
  }
}

/** A failing recorder never fails the loop: the log is for inspection only. */
function recordToolCall(
  record: ToolCallRecorder | undefined,
  call: Parameters<ToolCallRecorder>[0],
  agent: string | undefined,
): void {
  try {
    record?.(call, agent);
  } catch {
    // Inspection only.
  }
}
