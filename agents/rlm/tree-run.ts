// One /rlm run's tree at work: serves the helpers' host calls for every agent (sub-LLM prompts,
// sub-agents, FINAL), runs sub-agents in child sandboxes seeded with a copy of their parent's
// workspace, and keeps the tree, the budgets and the chat's status line. Over a budget or on a failure
// a caller gets an `Error: …` string per item; a host call never throws for a refused item.

import type { Logger } from 'pino';
import { z } from 'zod';
import type { ModelClient } from '../../src/model/types.js';
import type { HostCallHandler, Sandbox } from '../../src/sandbox/provider.js';
import { cutText, shorten } from '../../src/text/cut.js';
import type { Progress, RunContext } from '../agent.js';
import { type LoopOutcome, runAgentLoop } from './agent-loop.js';
import { mapBounded, type RunBudget } from './budgets.js';
import { HOST_METHODS } from './helpers-py.js';
import { capAnswer, systemPrompt } from './prompts.js';
import type { AgentNode, IterationJson, RunTree } from './tree.js';
import { packWorkspace, unpackInto } from './workspace-seed.js';

/** The interpreter context every agent of a tree uses in its own sandbox. */
export const RLM_CONTEXT = 'rlm';

const LLM_SYSTEM =
  'You are a sub-LLM called from code. Answer the prompt directly and concisely; your whole reply is returned as a string.';

const promptsParams = z.object({ prompts: z.array(z.string().max(1_000_000)).max(1000) });
const tasksParams = z.object({ tasks: z.array(z.string().max(200_000)).max(1000) });
const finalParams = z.object({ answer: z.string(), via: z.string().optional() });

export interface TreeRunOptions {
  tree: RunTree;
  budget: RunBudget;
  model: ModelClient;
  spawnSandbox: RunContext['spawnSandbox'];
  emit(p: Progress): void;
  runId: number;
  senderKey: string;
  execTimeoutMs: number;
  log: Logger;
  repoDir?: string;
}

export class TreeRun {
  constructor(private readonly o: TreeRunOptions) {}

  /** Runs `node`'s loop in `sandbox` until it answers; the answer (or an `Error:` text) is recorded. */
  async runAgent(node: AgentNode, sandbox: Sandbox, signal: AbortSignal): Promise<LoopOutcome> {
    const { config } = this.o.budget;
    const both = AbortSignal.any([signal, this.o.budget.deadline]);
    let outcome: LoopOutcome;
    try {
      outcome = await runAgentLoop({
        node,
        sandbox,
        context: RLM_CONTEXT,
        model: this.o.model,
        system: systemPrompt({
          depth: node.depth,
          maxDepth: config.maxDepth,
          maxIterations: config.maxIterations,
          sandboxesLeft: Math.max(0, config.maxSandboxes - this.o.budget.sandboxesUsed),
          ...(this.o.repoDir ? { repoDir: this.o.repoDir } : {}),
        }),
        maxIterations: config.maxIterations,
        execTimeoutMs: this.o.execTimeoutMs,
        signal: both,
        runId: this.o.runId,
        senderKey: this.o.senderKey,
        hostCalls: (iteration, final) => this.hostCalls(node, sandbox, iteration, final),
        onIterationStart: (n, i) => this.status(`${n.id} (depth ${n.depth}) running iteration ${i}`),
        onIteration: (n, i) => this.status(`${n.id} (depth ${n.depth}) finished iteration ${i}`),
        log: this.o.log,
      });
    } catch (err) {
      outcome = {
        stop: 'error',
        answer: `Error: ${err instanceof Error ? err.message : String(err)}`,
        lastOutput: '',
      };
    }
    if (outcome.stop === 'max_iterations')
      outcome = { ...outcome, answer: capAnswer(config.maxIterations, shorten(outcome.lastOutput, 2000)) };
    node.finish(
      outcome.stop === 'final' ? outcome.answer : null,
      outcome.stop === 'final' ? null : outcome.answer,
    );
    this.status(`${node.id} (depth ${node.depth}) ${outcome.stop === 'final' ? 'answered' : 'stopped'}`);
    return outcome;
  }

  /** The chat's status line: how deep the tree is, agents running/done, sandboxes used. */
  status(what: string): void {
    // Stored first, so a reader woken by this progress event sees the state it announces.
    this.o.tree.flush();
    const c = this.o.tree.counts();
    const { maxSandboxes } = this.o.budget.config;
    this.o.emit({
      kind: 'status',
      text: `${what} · depth ${c.deepest} · agents ${c.running} running, ${c.done} done · sandboxes ${this.o.budget.sandboxesUsed}/${maxSandboxes}`,
    });
  }

  private hostCalls(
    node: AgentNode,
    sandbox: Sandbox,
    iteration: () => IterationJson | undefined,
    final: (answer: string) => void,
  ): HostCallHandler {
    return async (method, params, call) => {
      if (method === HOST_METHODS.final) {
        final(finalParams.parse(params).answer);
        return null;
      }
      if (method === HOST_METHODS.llm)
        return await this.llmQueries(node, iteration(), promptsParams.parse(params).prompts, call.signal);
      if (method === HOST_METHODS.rlm)
        return await this.subAgents(node, sandbox, iteration(), tasksParams.parse(params).tasks, call.signal);
      throw new Error(`unknown host call ${method}`);
    };
  }

  private async llmQueries(
    node: AgentNode,
    iteration: IterationJson | undefined,
    prompts: string[],
    signal: AbortSignal,
  ): Promise<string[]> {
    const both = AbortSignal.any([signal, this.o.budget.deadline]);
    return await mapBounded(prompts, this.o.budget.config.maxParallel, async (prompt) => {
      const refused = this.o.budget.takeLlmCall();
      if (refused) return refused;
      if (iteration) iteration.llm_calls++;
      try {
        const turn = await this.o.model.turn(
          { system: LLM_SYSTEM, messages: [{ role: 'user', content: prompt }] },
          { runId: this.o.runId, senderKey: this.o.senderKey, signal: both },
        );
        node.addUsage(turn.usage);
        return turn.message.content
          .filter((b) => b.type === 'text')
          .map((b) => (b as { text: string }).text)
          .join('');
      } catch (err) {
        if (this.o.budget.deadline.aborted) return this.o.budget.timeoutError();
        return `Error: the model call failed: ${err instanceof Error ? err.message : String(err)}`;
      }
    });
  }

  private async subAgents(
    parent: AgentNode,
    parentBox: Sandbox,
    iteration: IterationJson | undefined,
    tasks: string[],
    signal: AbortSignal,
  ): Promise<string[]> {
    // Budgets are taken up front, in order: a refused item makes no node, the others run.
    const plan = tasks.map((task) => {
      const refused = this.o.budget.takeSubAgent(parent.depth + 1);
      return refused ? { refused } : { node: this.o.tree.spawn(parent, iteration, task) };
    });
    let seed: Promise<Buffer> | undefined;
    const seedOnce = () => {
      seed ??= packWorkspace(parentBox, signal);
      return seed;
    };
    return await mapBounded(plan, this.o.budget.config.maxParallel, async (item) => {
      if ('refused' in item) return item.refused as string;
      return await this.runChild(item.node, parentBox, seedOnce, signal);
    });
  }

  private async runChild(
    node: AgentNode,
    parentBox: Sandbox,
    seed: () => Promise<Buffer>,
    signal: AbortSignal,
  ): Promise<string> {
    this.status(`${node.id} (depth ${node.depth}) starting`);
    let box: Sandbox | undefined;
    try {
      box = await this.o.spawnSandbox({
        labels: { rlm: node.id },
        purpose: `rlm ${node.id} depth ${node.depth}`,
        parent: parentBox,
        signal,
      });
      node.sandboxId = box.id;
      await unpackInto(box, await seed(), '.', signal);
      const outcome = await this.runAgent(node, box, signal);
      return this.cut(outcome.answer);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const answer = signal.aborted ? 'Error: cancelled' : `Error: the sub-agent could not run: ${why}`;
      if (node.running) node.finish(null, answer);
      this.status(`${node.id} (depth ${node.depth}) failed`);
      return answer;
    } finally {
      await box
        ?.delete()
        .catch((err: unknown) => this.o.log.warn({ err }, 'could not delete an rlm sandbox'));
    }
  }

  private cut(answer: string): string {
    const max = this.o.budget.config.resultChars;
    if (answer.length <= max) return answer;
    const kept = cutText(answer, max);
    return `${kept}\n[… answer cut at rlm.resultChars (${max}); ${answer.length - kept.length} characters not shown]`;
  }
}
