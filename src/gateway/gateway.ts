// The gateway's lifecycle: wires the pipeline (intake → lanes → runner → outbox) over the store,
// starts the channels, recovers after a restart, and shuts down gracefully: stop intake, abort runs
// with a notice, flush the outbox, stop channels — all within the deadline.

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Agent } from '../../agents/agent.js';
import type { Channel, ChannelStatus, Inbound, InboundSink } from '../../channels/channel.js';
import type { Config } from '../config/schema.js';
import type { ModelClient } from '../model/types.js';
import type { Store } from '../store/store.js';
import { sleep } from '../timing/clock.js';
import { type AccessControl, localOwnerOnly } from './access.js';
import { agentCall } from './agent-call.js';
import { agentCommand } from './agent-commands.js';
import { AttachmentSource } from './attachment-source.js';
import { registerBuiltinCommands } from './builtin-commands.js';
import { CommandRegistry } from './commands.js';
import type { SandboxLeases } from './conversation-sandboxes.js';
import type { BackoffPolicy } from './delivery-retry.js';
import type { GatewayEventMap, GatewayEvents } from './gateway-events.js';
import { Intake } from './intake.js';
import { LaneQueue } from './lane-queue.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { Outbox } from './outbox.js';
import { recoverAfterRestart } from './recovery.js';
import type { QueuedMessage } from './route.js';
import { Runner } from './runner.js';
import { SettleNotifier } from './settle-notifier.js';

export interface GatewayOptions {
  config: Config;
  store: Store;
  log: Logger;
  channels: Channel[];
  access?: AccessControl;
  /** Extra commands (sandbox, pairing …) already registered; built-ins and agents' own are added. */
  commands?: CommandRegistry;
  /** Each registers the command it declares (`Agent.command`); plain text goes to `agents.default`. */
  agents?: Agent[];
  sandboxes?: SandboxLeases;
  model?: ModelClient;
  metrics?: GatewayMetrics;
  /** Called by /new after the built-in reset (agent threads, sandbox). */
  resetConversation?: (conversationKey: string) => Promise<void>;
  pollMs?: number;
  backoff?: BackoffPolicy;
}

export class Gateway {
  readonly events: GatewayEvents = new EventEmitter<GatewayEventMap>();
  readonly metrics: GatewayMetrics;
  readonly commands: CommandRegistry;
  readonly channels: Map<string, Channel>;
  readonly intake: Intake;
  readonly lanes: LaneQueue<QueuedMessage>;
  readonly runner: Runner;
  readonly outbox: Outbox;
  /** What channels push inbound messages into: intake, then the settle check for channels that want it. */
  private readonly sink: InboundSink;
  private readonly channelAborts = new AbortController();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private started = false;

  constructor(private readonly opts: GatewayOptions) {
    const { config, store, log } = opts;
    this.events.setMaxListeners(100);
    this.metrics = opts.metrics ?? createGatewayMetrics();
    this.commands = opts.commands ?? new CommandRegistry();
    this.channels = new Map(opts.channels.map((c) => [c.id, c]));
    const attachments = new AttachmentSource(this.channels);
    const agents = new Map((opts.agents ?? []).map((a) => [a.name, a]));
    // Not fatal (a gateway may run commands only): plain text is answered with the agents there are.
    if (agents.size && !agents.has(config.agents.default))
      log.warn(
        { default: config.agents.default, agents: [...agents.keys()] },
        'agents.default names no agent here; plain text will be answered with the available agents',
      );
    const settle = new SettleNotifier(store, this.channels, log);
    this.outbox = new Outbox({
      store,
      channels: this.channels,
      log,
      metrics: this.metrics,
      onSettled: (row) => settle.check(row.channel, row.inboundId),
      pollMs: opts.pollMs ?? 250,
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
    });
    const callAgent = agentCall({
      agents,
      attachments,
      ...(opts.sandboxes ? { sandboxes: opts.sandboxes } : {}),
      ...(opts.model !== undefined ? { model: opts.model } : {}),
    });
    this.runner = new Runner({
      store,
      config,
      log,
      metrics: this.metrics,
      channels: this.channels,
      agents,
      callAgent,
      outbox: this.outbox,
      events: this.events,
      ...(opts.sandboxes ? { sandboxes: opts.sandboxes } : {}),
    });
    this.lanes = new LaneQueue<QueuedMessage>(
      { runs: config.limits.maxConcurrentRuns, commands: config.limits.maxConcurrentCommands },
      async (msg) => {
        try {
          await this.runner.run(msg);
        } finally {
          attachments.forget(msg.id);
          settle.check(msg.channel, msg.id);
        }
      },
      (err, msg) => log.error({ err, inbound: msg.id }, 'a lane run threw past the runner'),
      (msg) => (msg.target.kind === 'command' ? (msg.target.command.pool ?? 'runs') : 'runs'),
    );
    registerBuiltinCommands({
      store,
      commands: this.commands,
      runner: this.runner,
      lanes: this.lanes,
      defaultAgent: config.agents.default,
      resetConversation: async (key) => {
        await opts.sandboxes?.discard(key);
        await opts.resetConversation?.(key);
      },
    });
    for (const agent of agents.values()) {
      const command = agentCommand(agent, { store, runAgent: callAgent });
      if (command) this.commands.register(command);
    }
    this.intake = new Intake({
      store,
      config,
      log,
      metrics: this.metrics,
      access: opts.access ?? localOwnerOnly,
      commands: this.commands,
      lanes: this.lanes,
      outbox: this.outbox,
      attachments,
      textMax: (id) => this.channels.get(id)?.limits.textMax ?? 4000,
      attachmentMax: (id) => this.channels.get(id)?.limits.attachmentMax,
    });
    this.sink = {
      receive: async (inbound: Inbound) => {
        const receipt = await this.intake.receive(inbound);
        settle.check(inbound.channel, receipt.id);
        return receipt;
      },
    };
    this.registerGauges();
  }

  async start(): Promise<void> {
    const { store, log } = this.opts;
    const { interrupted } = recoverAfterRestart(store, (id) => this.channels.get(id)?.limits.textMax ?? 4000);
    if (interrupted)
      log.warn({ interrupted }, 'runs interrupted by the last shutdown were marked and their senders told');
    this.outbox.start();
    this.started = true;
    this.intake.resumeQueued();
    await this.pollOnce();
    this.schedulePoll();
    await Promise.all(
      [...this.channels.values()].map(async (channel) => {
        try {
          await channel.start(this.sink, this.channelAborts.signal);
          log.info({ channel: channel.id, status: channel.status().state }, 'channel started');
        } catch (err) {
          log.error(
            { err, channel: channel.id },
            'channel failed to start; the gateway keeps running without it',
          );
        }
      }),
    );
  }

  /** Graceful shutdown within `timeoutMs`; leaves no run in state `running`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(0, deadline - Date.now());
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.intake.close();
    this.lanes.close();
    this.runner.abortAll('shutdown');
    const waited = new AbortController();
    await Promise.race([this.lanes.idle(), sleep(left() * 0.5, waited.signal).catch(() => undefined)]);
    waited.abort(); // the timer must not keep the process alive after the lanes went idle
    await this.outbox.flush(left() * 0.8);
    this.outbox.stop();
    this.channelAborts.abort();
    // Anything still running after the deadline is recovered as interrupted on the next start.
  }

  channelStatuses(): { id: string; status: ChannelStatus }[] {
    return [...this.channels.values()].map((c) => ({ id: c.id, status: c.status() }));
  }

  private schedulePoll(): void {
    this.pollTimer = setTimeout(async () => {
      await this.pollOnce();
      if (this.started) this.schedulePoll();
    }, this.opts.pollMs ?? 250);
    this.pollTimer.unref();
  }

  private async pollOnce(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.intake.poll();
    } catch (err) {
      this.opts.log.error({ err }, 'store poll failed');
    } finally {
      this.polling = false;
    }
  }

  private registerGauges(): void {
    const { registry } = this.metrics;
    const { store } = this.opts;
    registry.gauge('sandgate_queue_depth', 'Messages waiting in conversation lanes', () => [
      { value: this.lanes.depth },
    ]);
    registry.gauge('sandgate_runs_active', 'Runs executing now', () => [{ value: this.lanes.inFlight }]);
    registry.gauge('sandgate_runs', 'Runs by state (all time)', () =>
      Object.entries(store.runs.countByState()).map(([state, value]) => ({ labels: { state }, value })),
    );
    registry.gauge('sandgate_deliveries', 'Outbox rows by state', () =>
      Object.entries(store.deliveries.countByState()).map(([state, value]) => ({ labels: { state }, value })),
    );
    registry.gauge('sandgate_channel_up', 'Channel connected (1) or not (0)', () =>
      this.channelStatuses().map(({ id, status }) => ({
        labels: { channel: id, state: status.state },
        value: status.state === 'connected' ? 1 : 0,
      })),
    );
  }
}
