// Runs one queued message as the intake routed it (a lane command or the conversation's agent). Reply,
// run state and message state are written in one transaction — after a crash a message is answered or
// interrupted, never both; if that write fails, the run is logged and settled as failed.

import type { Logger } from 'pino';
import type { Agent, Progress } from '../../agents/agent.js';
import type { Channel, DeliveryReceipt } from '../../channels/channel.js';
import type { Config } from '../config/schema.js';
import type { InboundRow } from '../store/repos/inbound-repo.js';
import type { RunState } from '../store/repos/runs-repo.js';
import type { Store } from '../store/store.js';
import { shorten } from '../text/cut.js';
import type { AgentCall } from './agent-call.js';
import type { CommandContext, CommandReply } from './commands.js';
import type { SandboxLeases } from './conversation-sandboxes.js';
import type { GatewayEvents } from './gateway-events.js';
import type { GatewayMetrics } from './metrics.js';
import type { Outbox } from './outbox.js';
import { enqueueReply, type ReplyTarget } from './reply-writer.js';
import { chooseAgent, type QueuedMessage } from './route.js';
import { RunProgress } from './run-progress.js';

export type AbortReason = 'cancel' | 'shutdown';

export interface RunnerDeps {
  store: Store;
  config: Config;
  log: Logger;
  metrics: GatewayMetrics;
  channels: Map<string, Channel>;
  agents: Map<string, Agent>;
  /** Runs an agent for plain text (agent-call.ts); agent commands use the same call. */
  callAgent: AgentCall;
  outbox: Outbox;
  sandboxes?: SandboxLeases;
  events: GatewayEvents;
}

interface ActiveRun {
  runId: number;
  kind: string;
  /** What the run is doing, for /cancel and /status: `/sh sleep 100`, or the start of the task. */
  what: string;
  startedAt: number;
  controller: AbortController;
}

/** How far a run got, so a failure to record its end can still settle what it started. */
interface RunRecord {
  runId?: number;
  kind?: string;
  receipt?: DeliveryReceipt;
}

const ABORT_TEXT: Record<AbortReason, string> = {
  cancel: 'Cancelled.',
  shutdown: 'The gateway is shutting down, so this run was interrupted. Send it again once it is back.',
};

const UNRECORDED_TEXT =
  'Sorry, that failed: the gateway could not record the result (see its log). Please send it again.';

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

  /** Never throws: a run whose start or end cannot be written is logged and settled as failed. */
  async run(msg: QueuedMessage): Promise<void> {
    const record: RunRecord = {};
    try {
      await this.execute(msg, record);
    } catch (err) {
      this.deps.log.error(
        { err, inbound: msg.id, run: record.runId },
        'could not record a run; settling its message as failed',
      );
      await this.settleFailed(msg, record, err);
    }
  }

  private async execute(msg: QueuedMessage, record: RunRecord): Promise<void> {
    const { store, log, metrics, config } = this.deps;
    const { target } = msg;
    // A command runs under its name; text under the agent chosen now (route.ts says why now).
    const kind =
      target.kind === 'command'
        ? target.command.name
        : chooseAgent(
            msg,
            store.conversations.agentFor(msg.conversationKey),
            this.deps.agents.values(),
            config.agents.default,
          );
    record.kind = kind;
    const runId = await store.batch.run(() => {
      if (!store.inbound.transition(msg.id, ['queued'], 'running')) return undefined;
      return store.runs.start(msg.id, msg.channel, msg.conversationKey, kind);
    });
    if (runId === undefined) return;
    record.runId = runId;

    const startedAt = Date.now();
    const controller = new AbortController();
    const what = target.kind === 'command' ? `/${target.command.name} ${target.args}` : target.text;
    this.active.set(msg.conversationKey, {
      runId,
      kind,
      what: shorten(what.replace(/\s+/g, ' ').trim(), 60),
      startedAt,
      controller,
    });
    const runLog = log.child({ run: runId, conversation: msg.conversationKey, kind });
    const channel = this.deps.channels.get(msg.channel);
    const to = { channel: msg.channel as Channel['id'], key: msg.conversationKey, route: msg.route };
    const progress = channel ? new RunProgress(channel, to, runLog, `working on it (${kind})`) : undefined;
    const emit = (p: Progress) => {
      store.runs.addProgress(runId, p.agent ? `[${p.agent}] ${p.text}` : p.text);
      progress?.emit(p);
      this.deps.events.emit('run:progress', { runId, conversationKey: msg.conversationKey, ...p });
    };
    this.deps.events.emit('run:start', { runId, conversationKey: msg.conversationKey, kind });

    let reply: CommandReply | undefined;
    let state: Exclude<RunState, 'running'> = 'done';
    let error: string | undefined;
    try {
      if (target.kind === 'command') {
        reply = await target.command.run(
          this.context(msg, runId, target.args, controller.signal, runLog, emit),
        );
      } else {
        const ctx = this.context(msg, runId, target.text, controller.signal, runLog, emit);
        reply = await this.deps.callAgent(kind, ctx, { text: target.text, options: {} });
      }
      if (controller.signal.aborted) throw controller.signal.reason;
    } catch (err) {
      const reason = controller.signal.aborted ? (controller.signal.reason as AbortReason) : undefined;
      if (reason) {
        state = reason === 'shutdown' ? 'interrupted' : 'cancelled';
        // A command that stopped cleanly may say what it stopped (/sh: the processes it took down).
        const stopped = reason === 'cancel' ? reply?.cancelled : undefined;
        reply = { text: stopped ? `Cancelled: ${stopped}.` : ABORT_TEXT[reason] };
      } else {
        state = 'failed';
        error = (err as Error).message ?? String(err);
        runLog.error({ err }, 'run failed');
        reply = { text: `Sorry, that failed: ${error}` };
      }
    } finally {
      this.active.delete(msg.conversationKey);
    }

    const receipt = await progress?.finish();
    if (receipt) record.receipt = receipt;
    await store.batch.run(() => {
      enqueueReply(store, this.replyTarget(msg, runId), reply ?? {}, {
        textMax: this.textMax(msg),
        ...(receipt ? { replaces: receipt } : {}),
      });
      store.runs.finish(runId, state, error, reply?.usage);
      store.inbound.transition(msg.id, ['running'], state);
    });
    this.deps.outbox.wake();
    metrics.runs.inc({ kind, state });
    metrics.runSeconds.observe((Date.now() - startedAt) / 1000, { kind });
    this.deps.events.emit('run:finish', { runId, conversationKey: msg.conversationKey, state });
  }

  /** The end of a run that could not be recorded normally: failed, and the sender told, if the store lets us. */
  private async settleFailed(msg: QueuedMessage, record: RunRecord, cause: unknown): Promise<void> {
    const { store, log, metrics } = this.deps;
    const error = `not recorded: ${(cause as Error)?.message ?? String(cause)}`;
    try {
      await store.batch.run(() => {
        if (record.runId !== undefined) store.runs.finish(record.runId, 'failed', error);
        if (!store.inbound.transition(msg.id, ['queued', 'running'], 'failed', error)) return;
        enqueueReply(
          store,
          this.replyTarget(msg, record.runId ?? null),
          { text: UNRECORDED_TEXT },
          {
            textMax: this.textMax(msg),
            ...(record.receipt ? { replaces: record.receipt } : {}),
          },
        );
      });
    } catch (err) {
      log.error(
        { err, inbound: msg.id, run: record.runId },
        'could not settle the failed run either; the next start marks it interrupted',
      );
      return;
    }
    this.deps.outbox.wake();
    metrics.runs.inc({ kind: record.kind ?? 'unknown', state: 'failed' });
    if (record.runId !== undefined)
      this.deps.events.emit('run:finish', {
        runId: record.runId,
        conversationKey: msg.conversationKey,
        state: 'failed',
      });
  }

  private replyTarget(msg: InboundRow, runId: number | null): ReplyTarget {
    return {
      channel: msg.channel,
      conversationKey: msg.conversationKey,
      route: msg.route,
      inboundId: msg.id,
      runId,
    };
  }

  private textMax(msg: InboundRow): number {
    return this.deps.channels.get(msg.channel)?.limits.textMax ?? 4000;
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
      // Every tool call the agent's loops make is kept for the run page.
      recordToolCall: (call, agent) => this.deps.store.toolCalls.record(runId, call, agent),
      sandbox: () => {
        if (!sandboxes) return Promise.reject(new Error('no sandbox provider is configured'));
        return sandboxes.acquire(row.conversationKey);
      },
    };
  }
}
