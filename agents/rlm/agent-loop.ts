// One agent's REPL loop (root or sub-agent): model reply → its first fenced Python block runs in the
// agent's persistent interpreter → the output goes back → … until an EXECUTED FINAL/FINAL_VAR/SUBMIT
// (reported by the helpers over a host call), the iteration cap, the tree's deadline or /cancel.
// A model failure ends the agent with an `Error:` answer; nothing here throws into the parent.

import type { Logger } from 'pino';
import { ModelAbortedError } from '../../src/model/errors.js';
import type { MessageParam, ModelClient } from '../../src/model/types.js';
import type { HostCallHandler, Sandbox } from '../../src/sandbox/provider.js';
import { describeRun, errorLine, firstPythonBlock } from './code-block.js';
import { preludeCell } from './helpers-py.js';
import { iterationFooter, NUDGE, taskMessage } from './prompts.js';
import type { AgentNode, IterationJson } from './tree.js';

export interface LoopOptions {
  node: AgentNode;
  sandbox: Sandbox;
  /** Interpreter context the agent's blocks run in. */
  context: string;
  model: ModelClient;
  system: string;
  maxIterations: number;
  /** Per block; time spent in host calls (sub-agents) does not count. */
  execTimeoutMs: number;
  /** /cancel and the tree's deadline. */
  signal: AbortSignal;
  runId: number;
  senderKey: string;
  /** Serves the helpers' host calls for this agent; `iteration()` is the one running now. */
  hostCalls(iteration: () => IterationJson | undefined, final: (answer: string) => void): HostCallHandler;
  /** A block starts running (its code is in the tree), and when it has run. */
  onIterationStart?(node: AgentNode, iteration: number): void;
  onIteration?(node: AgentNode, iteration: number): void;
  log: Logger;
}

export type LoopStop = 'final' | 'max_iterations' | 'aborted' | 'error';

export interface LoopOutcome {
  stop: LoopStop;
  /** The FINAL answer, or what went wrong. */
  answer: string;
  /** Output of the last block that ran (for a capped agent's message). */
  lastOutput: string;
}

function replyText(content: { type: string; text?: string }[]): string {
  return content
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('');
}

export async function runAgentLoop(o: LoopOptions): Promise<LoopOutcome> {
  let final: string | undefined;
  let current: IterationJson | undefined;
  const onHostCall = o.hostCalls(
    () => current,
    (answer) => {
      final = answer;
    },
  );
  const setup = await o.sandbox.runCode(preludeCell(o.node.task), {
    context: o.context,
    timeoutMs: o.execTimeoutMs,
    signal: o.signal,
  });
  if (setup.error) {
    if (o.signal.aborted) return { stop: 'aborted', answer: abortText(o.signal), lastOutput: '' };
    return {
      stop: 'error',
      answer: `Error: the interpreter could not be prepared: ${setup.error.name}: ${setup.error.value}`,
      lastOutput: '',
    };
  }

  const messages: MessageParam[] = [{ role: 'user', content: taskMessage(o.node.task) }];
  let lastOutput = '';
  for (let i = 1; i <= o.maxIterations; i++) {
    if (o.signal.aborted) return { stop: 'aborted', answer: abortText(o.signal), lastOutput };
    let text: string;
    try {
      const turn = await o.model.turn(
        { system: o.system, messages },
        { runId: o.runId, senderKey: o.senderKey, signal: o.signal },
      );
      o.node.addUsage(turn.usage);
      text = replyText(turn.message.content);
    } catch (err) {
      if (o.signal.aborted || err instanceof ModelAbortedError)
        return { stop: 'aborted', answer: abortText(o.signal), lastOutput };
      const why = err instanceof Error ? err.message : String(err);
      o.log.warn({ err, agent: o.node.id }, 'rlm model turn failed');
      return { stop: 'error', answer: `Error: the model call failed: ${why}`, lastOutput };
    }
    messages.push({ role: 'assistant', content: text || '(empty reply)' });
    const code = firstPythonBlock(text);
    if (code === undefined) {
      o.node.startIteration(i, null);
      messages.push({ role: 'user', content: `${NUDGE}\n${iterationFooter(i, o.maxIterations)}` });
      o.onIteration?.(o.node, i);
      continue;
    }
    current = o.node.startIteration(i, code);
    o.onIterationStart?.(o.node, i);
    const r = await o.sandbox.runCode(code, {
      context: o.context,
      timeoutMs: o.execTimeoutMs,
      signal: o.signal,
      onHostCall,
    });
    o.node.endIteration(current, { stdout: r.stdout, stderr: r.stderr, error: errorLine(r) });
    current = undefined;
    o.onIteration?.(o.node, i);
    if (final !== undefined) return { stop: 'final', answer: final, lastOutput: describeRun(r) };
    if (o.signal.aborted) return { stop: 'aborted', answer: abortText(o.signal), lastOutput };
    lastOutput = describeRun(r);
    messages.push({ role: 'user', content: `${lastOutput}\n${iterationFooter(i, o.maxIterations)}` });
  }
  return { stop: 'max_iterations', answer: '', lastOutput };
}

function abortText(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  const text = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
  return text.startsWith('Error:') ? text : 'Error: cancelled';
}
