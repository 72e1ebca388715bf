// Executes one queued message in its conversation's lane: a lane command (/sh, /code …) or the
// conversation's agent. The reply, the run's final state and the message's state are written in
// one transaction, so after a crash a message is either answered or marked interrupted — never both.

import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Agent, Progress, TaskFile } from '../../agents/agent.js';
import type { Channel } from '../../channels/channel.js';
import type { Config } from '../config/schema.js';
import type { ModelClient } from '../model/types.js';
import type { InboundRow } from '../store/repos/inbound-repo.js';
import type { RunState } from '../store/repos/runs-repo.js';
import type { Store } from '../store/store.js';
import type { AttachmentSource } from './attachment-source.js';
import type { CommandContext, CommandRegistry, CommandReply } from './commands.js';
import { parseCommand } from './commands.js';
import type { SandboxLeases } from './conversation-sandboxes.js';
import type { GatewayMetrics } from './metrics.js';
import type { Outbox } from './outbox.js';
import { enqueueReply } from './reply-writer.js';
import { RunProgress } from './run-progress.js';

export type AbortReason = 'cancel' | 'shutdown';

export interface RunnerDeps {
  store: Store;
  config: Config;
  log: Logger;
  metrics: GatewayMetrics;
  channels: Map<string, Channel>;
  commands: CommandRegistry;
  agents: Map<string, Agent>;
  attachments: AttachmentSource;
  outbox: Outbox;
  sandboxes?: SandboxLeases;
  model?: ModelClient;
  events: EventEmitter;
}

interface ActiveRun {
  runId: number;
  kind: string;
  startedAt: number;
  controller: AbortController;
}

const ABORT_TEXT: Record<AbortReason, string> = {
  cancel: 'Cancelled.',
  shutdown: 'The gateway is shutting down, so this run was interrupted. Send it again once it is back.',
};

export class Runner {
  private readonly active = new Map<string, ActiveRun>();

  constructor(private readonly deps: RunnerDeps) {}

  activeRun(conversationKey: string): ActiveRun | undefined {
    return this.active.get(conversationKey);
  }

  get activeCount(): number {
    return this.active.size;
  }

  cancel(conversationKey: string, reason: AbortReason = 'cancel'): boolean {
    const run = this.active.get(conversationKey);
    if (!run) return false;
    run.controller.abort(reason);
    return true;
  }

  abortAll(reason: AbortReason): void {
    for (const run of this.active.values()) run.controller.abort(reason);
  }

  async run(row: InboundRow): Promise<void> {
    const { store, log, metrics } = this.deps;
    const target = this.resolve(row);
    const runId = await store.batch.run(() => {
      if (!store.inbound.transition(row.id, ['queued'], 'running')) return undefined;
      return store.runs.start(row.id, row.channel, row.conversationKey, target.kind);
    });
    if (runId === undefined) return;

    const startedAt = Date.now();
    const controller = new AbortController();
    this.active.set(row.conversationKey, { runId, kind: target.kind, startedAt, controller });
    const runLog = log.child({ run: runId, conversation: row.conversationKey, kind: target.kind });
    const channel = this.deps.channels.get(row.channel);
    const to = { channel: row.channel as Channel['id'], key: row.conversationKey, route: row.route };
    const progress = channel
      ? new RunProgress(channel, to, runLog, `working on it (${target.kind})`)
      : undefined;
    const emit = (p: Progress) => {
      store.runs.addProgress(runId, p.agent ? `[${p.agent}] ${p.text}` : p.text);
      progress?.emit(p);
      this.deps.events.emit('run:progress', { runId, conversationKey: row.conversationKey, ...p });
    };
    this.deps.events.emit('run:start', { runId, conversationKey: row.conversationKey, kind: target.kind });

    let reply: CommandReply | undefined;
    let state: Exclude<RunState, 'running'> = 'done';
    let error: string | undefined;
    let usage: object | undefined;
    try {
      const ctx = this.context(row, runId, target.args, controller.signal, runLog, emit);
      if (target.command) {
        reply = await target.command.run(ctx);
        usage = reply?.usage;
      } else {
        const result = await this.runAgent(target.agent, row, runId, target.args, ctx);
        reply = result.reply;
        usage = result.usage;
      }
      if (controller.signal.aborted) throw controller.signal.reason;
    } catch (err) {
      const reason = controller.signal.aborted ? (controller.signal.reason as AbortReason) : undefined;
      if (reason) {
        state = reason === 'shutdown' ? 'interrupted' : 'cancelled';
        reply = { text: ABORT_TEXT[reason] };
      } else {
        state = 'failed';
        error = (err as Error).message ?? String(err);
        runLog.error({ err }, 'run failed');
        reply = { text: `Sorry, that failed: ${error}` };
      }
    } finally {
      this.active.delete(row.conversationKey);
    }

    const receipt = await progress?.finish();
    const textMax = channel?.limits.textMax ?? 4000;
    await store.batch.run(() => {
      enqueueReply(
        store,
        {
          channel: row.channel,
          conversationKey: row.conversationKey,
          route: row.route,
          inboundId: row.id,
          runId,
        },
        reply ?? {},
        {
          textMax,
          ...(receipt ? { replaces: receipt } : {}),
        },
      );
      store.runs.finish(runId, state, error, usage);
      store.inbound.transition(row.id, ['running'], state);
    });
    this.deps.outbox.wake();
    metrics.runs.inc({ kind: target.kind, state });
    metrics.runSeconds.observe((Date.now() - startedAt) / 1000, { kind: target.kind });
    this.deps.events.emit('run:finish', { runId, conversationKey: row.conversationKey, state });
  }

  private resolve(row: InboundRow) {
    const parsed = parseCommand(row.text);
    const command = parsed ? this.deps.commands.get(parsed.name) : undefined;
    if (parsed && command) return { kind: command.name, command, args: parsed.args, agent: undefined };
    const chosen = this.deps.store.conversations.agentFor(row.conversationKey);
    const claimant = row.attachments.length
      ? [...this.deps.agents.values()].find((a) => a.claimsAttachments?.(row.attachments))
      : undefined;
    const agentName = chosen ?? claimant?.name ?? this.deps.config.agents.default;
    return { kind: agentName, command: undefined, args: row.text, agent: agentName };
  }

  private context(
    row: InboundRow,
    runId: number,
    args: string,
    signal: AbortSignal,
    log: Logger,
    emit: (p: Progress) => void,
  ): CommandContext {
    const { sandboxes } = this.deps;
    return {
      msg: row,
      args,
      runId,
      signal,
      log,
      emit,
      sandbox: () => {
        if (!sandboxes) return Promise.reject(new Error('no sandbox provider is configured'));
        return sandboxes.acquire(row.conversationKey);
      },
    };
  }

  /** Runs an agent by name; used for plain text and by the agent commands (/code, /analyze, /rlm). */
  async runAgent(
    name: string | undefined,
    row: InboundRow,
    runId: number,
    text: string,
    ctx: CommandContext,
    options: Record<string, string | boolean> = {},
  ): Promise<{ reply: CommandReply; usage?: object }> {
    const agent = name ? this.deps.agents.get(name) : undefined;
    if (!agent) {
      const known = [...this.deps.agents.keys()];
      return {
        reply: {
          text: `The ${name ?? 'default'} agent is not available here.${
            known.length ? ` Available: ${known.join(', ')}.` : ''
          } /sh and /py still work — see /help.`,
        },
      };
    }
    const files: TaskFile[] = row.attachments.map((a, i) => ({
      name: a.name,
      mime: a.mime,
      size: a.size,
      fetch: () => this.deps.attachments.fetch(row, i),
    }));
    const result = await agent.run(
      {
        runId,
        conversationKey: row.conversationKey,
        senderId: `${row.channel}:${row.senderId}`,
        text,
        files,
        options,
      },
      {
        sandbox: ctx.sandbox,
        model: this.deps.model,
        emit: ctx.emit,
        signal: ctx.signal,
        log: ctx.log,
      },
    );
    return {
      reply: {
        text: result.text,
        images: (result.charts ?? []).map((c) => ({ png: c.png, ...(c.title ? { caption: c.title } : {}) })),
        ...(result.files ? { files: result.files } : {}),
        ...(result.links ? { links: result.links } : {}),
      },
      ...(result.usage ? { usage: result.usage } : {}),
    };
  }
}
