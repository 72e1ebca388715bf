// The recursive-LM agent (/rlm, DESIGN §9.3): the root agent works in the conversation's sandbox and
// its code may ask sub-LLMs and start sub-agents in child sandboxes (tree-run.ts). The reply is the
// root's FINAL answer, the patch when a git workspace changed, and the tree's usage; the tree is stored
// for `runs show` and the dashboard. No model configured → the setting to add; nothing throws.

import type { Logger } from 'pino';
import type { Config } from '../../src/config/schema.js';
import { modelUnavailableReply } from '../../src/model/errors.js';
import type { ModelClient } from '../../src/model/types.js';
import { cutText } from '../../src/text/cut.js';
import type { Agent, RunContext, RunResult, Task } from '../agent.js';
import { RunBudget } from './budgets.js';
import { placeRepo, RepoSourceError, repoPatch } from './repo-source.js';
import { type AgentNodeJson, RunTree } from './tree.js';
import { TreeRun } from './tree-run.js';

export type RlmAgentConfig = Pick<Config, 'rlm' | 'sandbox'>;

export interface RlmAgentDeps {
  config: RlmAgentConfig;
  log: Logger;
  /** Where run trees are kept (RunTreesRepo); without it the tree lives only in the run. */
  trees?: { put(runId: number, tree: AgentNodeJson): void };
  /** Used when the run context carries none (the gateway normally passes it in ctx.model). */
  model?: ModelClient;
}

export const PATCH_FILE = 'rlm.patch';

function isModelClient(x: unknown): x is ModelClient {
  return typeof x === 'object' && x !== null && typeof (x as { turn?: unknown }).turn === 'function';
}

export function createRlmAgent(deps: RlmAgentDeps): Agent {
  return {
    name: 'rlm',
    command: {
      name: 'rlm',
      usage: 'rlm [--repo URL|PATH] TASK',
      summary: 'recursive-LM agent: code that calls sub-LLMs and sub-agents',
      flags: { repo: 'string' },
    },

    async run(task: Task, ctx: RunContext): Promise<RunResult> {
      const model = isModelClient(ctx.model) ? ctx.model : deps.model;
      if (!model) return { text: modelUnavailableReply() };
      if (!task.text.trim())
        return { text: 'Usage: /rlm [--repo URL|PATH] TASK — say what the agents should do.' };
      const log = ctx.log.child({ agent: 'rlm' });
      const sandbox = await ctx.sandbox();
      const source = typeof task.options.repo === 'string' ? task.options.repo : undefined;
      let repoDir: string | undefined;
      if (source) {
        ctx.emit({ kind: 'status', text: `fetching ${source}` });
        try {
          repoDir = await placeRepo(sandbox, source, ctx.signal);
        } catch (err) {
          if (err instanceof RepoSourceError) return { text: `--repo: ${err.message}` };
          throw err;
        }
      }
      const budget = new RunBudget(deps.config.rlm);
      const tree = new RunTree(
        task.text,
        (json) => deps.trees?.put(task.runId, json),
        (err) => log.warn({ err }, 'could not store the rlm tree'),
      );
      tree.root.sandboxId = sandbox.id;
      const treeRun = new TreeRun({
        tree,
        budget,
        model,
        spawnSandbox: ctx.spawnSandbox,
        emit: ctx.emit,
        runId: task.runId,
        senderKey: task.senderId,
        execTimeoutMs: deps.config.sandbox.execTimeoutSec * 1000,
        log,
        ...(repoDir ? { repoDir } : {}),
      });
      try {
        treeRun.status('agent-0 (depth 0) starting');
        const outcome = await treeRun.runAgent(tree.root, sandbox, ctx.signal);
        const usage = tree.totalUsage();
        if (ctx.signal.aborted) return { text: 'Cancelled.', usage };
        const patch = repoDir && !ctx.signal.aborted ? await repoPatch(sandbox, repoDir) : undefined;
        const c = tree.counts();
        const footer =
          c.agents > 1 ? `\n\n(${c.agents} agents, ${budget.sandboxesUsed} child sandboxes)` : '';
        const text =
          outcome.stop === 'final'
            ? outcome.answer || '(the agent answered with an empty string)'
            : outcome.stop === 'max_iterations'
              ? `I stopped after ${deps.config.rlm.maxIterations} iterations (rlm.maxIterations) without a final answer.\n\nLast output:\n${cutText(outcome.lastOutput, 3000)}`
              : outcome.answer;
        return {
          text: text + footer,
          usage,
          ...(patch ? { files: [{ name: PATCH_FILE, data: Buffer.from(patch) }] } : {}),
        };
      } finally {
        budget.close();
        tree.flush();
      }
    },
  };
}
