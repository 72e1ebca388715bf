// The commands every gateway has, whatever agents and sandboxes it runs: /help, /status, /new,
// /cancel. All are immediate — they answer while a run is busy, which is what makes /cancel work.

import type { Store } from '../store/store.js';
import type { CommandRegistry } from './commands.js';
import type { LaneQueue } from './lane-queue.js';
import type { QueuedMessage } from './route.js';
import type { Runner } from './runner.js';

export interface BuiltinDeps {
  store: Store;
  commands: CommandRegistry;
  runner: Runner;
  lanes: LaneQueue<QueuedMessage>;
  defaultAgent: string;
  /** Forget the conversation's agent thread and sandbox (/new). */
  resetConversation(conversationKey: string): Promise<void>;
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
      const active = runner.activeRun(msg.conversationKey);
      const stopped = runner.cancel(msg.conversationKey, 'cancel');
      const dropped = dropQueued(deps, msg.conversationKey);
      if (!stopped && !dropped) return { text: 'Nothing to cancel.' };
      // Names what it stops; the run's own reply then says what went with it.
      const run =
        stopped && active
          ? ` the current run (#${active.runId}: ${active.what}, running ${Math.round((Date.now() - active.startedAt) / 1000)} s)`
          : stopped
            ? ' the current run'
            : '';
      return {
        text: `Cancelling${run}${dropped ? `${stopped ? ' and' : ''} ${dropped} queued message(s)` : ''}.`,
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
}
