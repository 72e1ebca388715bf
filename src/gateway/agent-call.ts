// Pipeline step 6 for agents: a message and its task → the Agent port's Task and RunContext → a reply,
// with the run's child sandboxes deleted however it ends. A missing agent is answered, not thrown;
// an agent that throws fails the run (the runner records it).

import type { Agent, ParsedTask, RunResult, TaskFile } from '../../agents/agent.js';
import type { ModelClient } from '../model/types.js';
import type { AttachmentSource } from './attachment-source.js';
import type { CommandContext, CommandReply } from './commands.js';
import type { SandboxLeases } from './conversation-sandboxes.js';
import { withReplyContext } from './reply-context.js';
import { savedNote, saveToWorkspace } from './workspace-uploads.js';

export interface AgentCallDeps {
  agents: Map<string, Agent>;
  attachments: AttachmentSource;
  sandboxes?: SandboxLeases;
  model?: ModelClient;
}

/** Runs agent `name` on `task` inside a lane run (`ctx.runId` set); the reply carries the run's usage. */
export type AgentCall = (name: string, ctx: CommandContext, task: ParsedTask) => Promise<CommandReply>;

export function agentCall(deps: AgentCallDeps): AgentCall {
  return async (name, ctx, task) => {
    const { msg: row, runId } = ctx;
    if (runId === undefined) throw new Error(`the ${name} agent runs only inside a recorded run`);
    const agent = deps.agents.get(name);
    if (!agent) {
      const known = [...deps.agents.keys()];
      return {
        text: `The ${name} agent is not available here.${
          known.length ? ` Available: ${known.join(', ')}.` : ''
        } /sh and /py still work — see /help.`,
      };
    }
    const sent: TaskFile[] = row.attachments.map((a, i) => ({
      name: a.name,
      mime: a.mime,
      size: a.size,
      fetch: () => deps.attachments.fetch(row, i),
    }));
    const files = deps.sandboxes ? await saveToWorkspace(sent, ctx.sandbox, ctx.log) : sent;
    const run = { runId, conversationKey: row.conversationKey, signal: ctx.signal, log: ctx.log };
    const children = deps.sandboxes?.forRun?.(run);
    let result: RunResult;
    try {
      result = await agent.run(
        {
          runId,
          conversationKey: row.conversationKey,
          senderId: `${row.channel}:${row.senderId}`,
          text: withReplyContext(task.text, row.context),
          files,
          options: task.options,
        },
        {
          sandbox: ctx.sandbox,
          spawnSandbox: (spec) =>
            children
              ? children.spawn(spec)
              : Promise.reject(new Error('child sandboxes are not available here')),
          model: deps.model,
          emit: ctx.emit,
          recordToolCall: ctx.recordToolCall,
          signal: ctx.signal,
          log: ctx.log,
        },
      );
    } finally {
      await children?.close();
    }
    const saved = savedNote(files);
    return {
      text: saved ? [result.text, saved].filter(Boolean).join('\n\n') : result.text,
      images: (result.charts ?? []).map((c) => ({ png: c.png, ...(c.title ? { caption: c.title } : {}) })),
      ...(result.files ? { files: result.files } : {}),
      ...(result.links ? { links: result.links } : {}),
      ...(result.usage ? { usage: result.usage } : {}),
    };
  };
}
