// The commands every gateway has (/help, /status, /new, /cancel) and one command per installed
// agent (/code, /analyze, /rlm) that switches the conversation to that agent and runs the task.

import type { Agent } from '../../agents/agent.js';
import type { InboundRow } from '../store/repos/inbound-repo.js';
import type { Store } from '../store/store.js';
import type { Command, CommandRegistry } from './commands.js';
import type { LaneQueue } from './lane-queue.js';
import type { Runner } from './runner.js';

export interface BuiltinDeps {
  store: Store;
  commands: CommandRegistry;
  runner: Runner;
  lanes: LaneQueue<InboundRow>;
  agents: Map<string, Agent>;
  defaultAgent: string;
  /** Forget the conversation's agent thread and sandbox (/new). */
  resetConversation(conversationKey: string): Promise<void>;
}

const AGENT_COMMANDS: Record<string, { command: string; summary: string }> = {
  coding: {
    command: 'code',
    summary: 'ask the coding agent (writes and runs code, serves previews); --team for a planner + developer',
  },
  analysis: {
    command: 'analyze',
    summary: 'ask the data-analysis agent about attached data (charts come back as images)',
  },
  rlm: { command: 'rlm', summary: 'ask the recursive-LM agent (code that calls sub-LLMs and sub-agents)' },
};

/** `--team --model x rest of task` → options {team: true, model: 'x'} and the task text. */
export function parseAgentOptions(args: string): { options: Record<string, string | boolean>; text: string } {
  const options: Record<string, string | boolean> = {};
  let rest = args;
  for (;;) {
    const m = /^--([a-z][\w-]*)(?:=(\S+))?(?:\s+|$)/.exec(rest);
    if (!m) break;
    options[m[1] as string] = m[2] ?? true;
    rest = rest.slice(m[0].length);
  }
  return { options, text: rest.trim() };
}

function dropQueued(deps: BuiltinDeps, key: string): number {
  const dropped = deps.lanes.drop(key);
  for (const row of dropped)
    deps.store.inbound.transition(row.id, ['queued'], 'cancelled', 'cancelled by /cancel or /new');
  return dropped.length;
}

export function registerBuiltinCommands(deps: BuiltinDeps): void {
  const { commands, runner, store } = deps;
  const agentOf = (key: string) => store.conversations.agentFor(key) ?? deps.defaultAgent;

  commands.register({
    name: 'help',
    summary: 'list the commands',
    mode: 'immediate',
    run: async () => ({ text: commands.helpText() }),
  });

  commands.register({
    name: 'status',
    summary: 'what is running in this conversation',
    mode: 'immediate',
    run: async ({ msg }) => {
      const active = runner.activeRun(msg.conversationKey);
      const waiting = store.inbound
        .listByState(['queued'])
        .filter((r) => r.conversationKey === msg.conversationKey).length;
      const lines = [
        `Agent: ${agentOf(msg.conversationKey)}`,
        active
          ? `Running: run #${active.runId} (${active.kind}) for ${Math.round((Date.now() - active.startedAt) / 1000)} s`
          : 'Running: nothing',
        `Waiting: ${waiting} message${waiting === 1 ? '' : 's'}`,
      ];
      return { text: lines.join('\n') };
    },
  });

  commands.register({
    name: 'cancel',
    summary: 'stop the current run and drop queued messages',
    mode: 'immediate',
    run: async ({ msg }) => {
      const stopped = runner.cancel(msg.conversationKey, 'cancel');
      const dropped = dropQueued(deps, msg.conversationKey);
      if (!stopped && !dropped) return { text: 'Nothing to cancel.' };
      return {
        text: `Cancelling${stopped ? ' the current run' : ''}${dropped ? `${stopped ? ' and' : ''} ${dropped} queued message(s)` : ''}.`,
      };
    },
  });

  commands.register({
    name: 'new',
    summary: 'start over: forget this conversation’s history and sandbox',
    mode: 'immediate',
    run: async ({ msg }) => {
      runner.cancel(msg.conversationKey, 'cancel');
      dropQueued(deps, msg.conversationKey);
      await deps.resetConversation(msg.conversationKey);
      store.conversations.setAgent(msg.conversationKey, msg.channel, null);
      return { text: 'Started a new conversation: history and sandbox are cleared.' };
    },
  });

  for (const agent of deps.agents.values()) {
    const meta = AGENT_COMMANDS[agent.name];
    if (!meta) continue;
    const command: Command = {
      name: meta.command,
      usage: `${meta.command} TASK`,
      summary: meta.summary,
      mode: 'lane',
      run: async (ctx) => {
        const { options, text } = parseAgentOptions(ctx.args);
        store.conversations.setAgent(ctx.msg.conversationKey, ctx.msg.channel, agent.name);
        if (!text && ctx.msg.attachments.length === 0) {
          return { text: `Now talking to the ${agent.name} agent. Send the task as plain text.` };
        }
        const { reply, usage } = await runner.runAgent(
          agent.name,
          ctx.msg,
          ctx.runId ?? 0,
          text,
          ctx,
          options,
        );
        return usage ? { ...reply, usage } : reply;
      },
    };
    commands.register(command);
  }
}
