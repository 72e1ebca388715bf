// Pipeline step 4 (DESIGN §3): a registered command, an unknown one, or text for an agent. The intake
// decides once and the lane carries it to the runner, never parsed twice; which agent takes text is
// settled when the run starts (an earlier `/code` in the same lane may have switched it).

import type { Agent } from '../../agents/agent.js';
import type { InboundRow } from '../store/repos/inbound-repo.js';
import { type Command, type CommandRegistry, parseCommand } from './commands.js';

export type Route =
  | { kind: 'command'; command: Command; args: string }
  | { kind: 'agent'; text: string }
  | { kind: 'unknown-command'; name: string };

/** What a queued message runs: a lane command, or the conversation's agent. */
export type RunTarget = Exclude<Route, { kind: 'unknown-command' }>;

/** A message waiting in its lane, with its routing decision (`row.route` is the reply address). */
export type QueuedMessage = InboundRow & { target: RunTarget };

/** `/name@bot args` → that command if registered; other text → the conversation's agent. */
export function route(text: string, commands: Pick<CommandRegistry, 'get'>): Route {
  const parsed = parseCommand(text);
  if (!parsed) return { kind: 'agent', text };
  const command = commands.get(parsed.name);
  if (!command) return { kind: 'unknown-command', name: parsed.name };
  return { kind: 'command', command, args: parsed.args };
}

/**
 * The agent that answers plain text: the one the conversation picked (`/code`, `/analyze`), else
 * one that claims the attachments (datasets → analysis), else `agents.default`.
 */
export function chooseAgent(
  msg: Pick<InboundRow, 'attachments'>,
  picked: string | undefined,
  agents: Iterable<Agent>,
  defaultAgent: string,
): string {
  if (picked) return picked;
  if (msg.attachments.length) {
    for (const agent of agents) if (agent.claimsAttachments?.(msg.attachments)) return agent.name;
  }
  return defaultAgent;
}
