// Turns an agent's own command declaration (`Agent.command`) into a lane command: parse its
// flags, switch the conversation to the agent, run the task. The gateway names no agent — an agent
// without a declaration has no command. A malformed flag gets a usage reply and switches nothing.

import type { Agent, AgentCommand, ParsedTask } from '../../agents/agent.js';
import type { Store } from '../store/store.js';
import type { AgentCall } from './agent-call.js';
import type { Command } from './commands.js';

export interface AgentCommandDeps {
  store: Pick<Store, 'conversations'>;
  /** Runs the agent on the task in this command's run: the same call plain text gets. */
  runAgent: AgentCall;
}

/** The lane command for an agent that declares one; undefined for an agent that does not. */
export function agentCommand(agent: Agent, deps: AgentCommandDeps): Command | undefined {
  const declared = agent.command;
  if (!declared) return undefined;
  return {
    name: declared.name,
    usage: declared.usage,
    summary: declared.summary,
    mode: 'lane',
    run: async (ctx) => {
      const task = declared.parse ? declared.parse(ctx.args) : parseFlags(ctx.args, declared);
      if (typeof task === 'string') return { text: task };
      deps.store.conversations.setAgent(ctx.msg.conversationKey, ctx.msg.channel, agent.name);
      if (!task.text && ctx.msg.attachments.length === 0)
        return { text: `Now talking to the ${agent.name} agent. Send the task as plain text.` };
      return deps.runAgent(agent.name, ctx, task);
    },
  };
}

const FLAG = /^--([a-z][\w-]*)(?:=(\S*))?(?:\s+|$)/;

/**
 * `--team --repo URL rest of task` → options {team: true, repo: 'URL'} and the task text, for the
 * flags the command declares. Flags come first; the text after them is kept as written. An
 * undeclared flag or a string flag without a value → a reply naming it and the usage.
 */
export function parseFlags(
  args: string,
  command: Pick<AgentCommand, 'name' | 'usage' | 'flags'>,
): ParsedTask | string {
  const options: ParsedTask['options'] = {};
  const usage = `Usage: /${command.usage}`;
  let rest = args.trim();
  for (let m = FLAG.exec(rest); m; m = FLAG.exec(rest)) {
    const name = m[1] as string;
    const kind = command.flags?.[name];
    if (!kind) return `/${command.name} has no option --${name}. ${usage}`;
    rest = rest.slice(m[0].length);
    if (kind === 'boolean') {
      const value = m[2] ?? 'true';
      if (!/^(true|false|1|0)$/.test(value)) return `--${name} is on or off (--${name}=false). ${usage}`;
      options[name] = value === 'true' || value === '1';
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      const next = /^(\S+)(?:\s+|$)/.exec(rest);
      if (next) {
        value = next[1] as string;
        rest = rest.slice(next[0].length);
      }
    }
    if (!value) return `--${name} needs a value. ${usage}`;
    options[name] = value;
  }
  return { text: rest.trim(), options };
}
