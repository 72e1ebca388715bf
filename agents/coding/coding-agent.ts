// The coding agent (Agent port): works in the conversation's sandbox with Claude Code-style tools,
// keeps its thread per conversation, and in team mode runs the project-manager/developer pair.
// No model configured → the exact setting to add; a model failure → a plain reply, never a crash.

import type { Logger } from 'pino';
import { modelUnavailableReply } from '../../src/model/errors.js';
import type { ModelClient } from '../../src/model/types.js';
import type { ProcessHandle } from '../../src/sandbox/provider.js';
import type { Agent, RunContext, RunResult, Task } from '../agent.js';
import { stopNote } from '../tool-loop/stop-note.js';
import { appendUserText } from '../tool-loop/thread-messages.js';
import { type CodingConfig, promptFacts, runCodingSession, taskPrompt } from './coding-session.js';
import { composeReply, iterationLimit, previewLinks } from './final-reply.js';
import { RunState } from './run-state.js';
import { DEV_THREAD, runTeam } from './team-mode.js';
import type { ThreadStore } from './thread-store.js';

export interface CodingAgentDeps {
  threads: ThreadStore;
  config: CodingConfig;
  log: Logger;
  /** Used when the run context carries none (the gateway normally passes it in ctx.model). */
  model?: ModelClient;
}

export interface CodingAgent extends Agent {
  readonly name: 'coding';
  /** /new: forget the conversation's threads and the servers this agent started there. */
  reset(conversationKey: string): Promise<void>;
}

function isModelClient(x: unknown): x is ModelClient {
  return typeof x === 'object' && x !== null && typeof (x as { turn?: unknown }).turn === 'function';
}

function teamRequested(task: Task, config: CodingConfig): boolean {
  const flag = task.options.team;
  if (flag === undefined) return config.agents.team;
  return flag === true || flag === 'true' || flag === '1';
}

export function createCodingAgent(deps: CodingAgentDeps): CodingAgent {
  const servers = new Map<string, ProcessHandle>();
  const serversByConversation = new Map<string, Set<string>>();

  const track = (conversationKey: string, sandboxId: string) => {
    const keys = serversByConversation.get(conversationKey) ?? new Set<string>();
    keys.add(sandboxId);
    serversByConversation.set(conversationKey, keys);
  };

  return {
    name: 'coding',
    command: {
      name: 'code',
      usage: 'code [--team] TASK',
      summary:
        'ask the coding agent (writes and runs code, serves previews); --team for a planner + developer',
      flags: { team: 'boolean' },
    },

    async run(task: Task, ctx: RunContext): Promise<RunResult> {
      const model = isModelClient(ctx.model) ? ctx.model : deps.model;
      if (!model) return { text: modelUnavailableReply() };
      const log = ctx.log.child({ agent: 'coding' });
      const sandbox = await ctx.sandbox();
      track(task.conversationKey, sandbox.id);
      const facts = await promptFacts(sandbox, log);
      const common = {
        model,
        config: deps.config,
        sandbox,
        facts,
        servers,
        signal: ctx.signal,
        emit: ctx.emit,
        onToolCall: ctx.recordToolCall,
        log,
      };

      if (teamRequested(task, deps.config)) {
        const team = await runTeam({ ...common, threads: deps.threads, task });
        return { text: team.text, links: previewLinks(team.state), usage: team.usage };
      }

      const state = new RunState();
      const history = deps.threads.load(task.conversationKey, DEV_THREAD) ?? [];
      const loop = await runCodingSession({
        ...common,
        task,
        messages: appendUserText(history, taskPrompt(task)),
        state,
      });
      deps.threads.save(task.conversationKey, DEV_THREAD, loop.messages);
      const note = stopNote(loop, iterationLimit(deps.config));
      const answer = loop.stop === 'model_error' || loop.stop === 'aborted' ? '' : loop.finalText;
      return { text: composeReply(answer, note, state), links: previewLinks(state), usage: loop.usage };
    },

    async reset(conversationKey: string): Promise<void> {
      deps.threads.reset(conversationKey);
      for (const sandboxId of serversByConversation.get(conversationKey) ?? []) {
        for (const [key, handle] of servers) {
          if (!key.startsWith(`${sandboxId}:`)) continue;
          servers.delete(key);
          await handle.kill().catch(() => {});
        }
      }
      serversByConversation.delete(conversationKey);
    },
  };
}
