// Pipeline steps 1–4 (DESIGN §3): dedupe and persist before the channel acknowledges, then the
// access check, then routing (classify.ts) — immediate commands answer at once, everything else
// joins its lane with its route. Rows that other processes touch (a CLI approval moves a held
// message back to `received`) are picked up by poll(), so they go through exactly the same steps.

import { Buffer } from 'node:buffer';
import type { Logger } from 'pino';
import type { Inbound, InboundReceipt, InboundSink } from '../../channels/channel.js';
import type { Config } from '../config/schema.js';
import type { InboundRow } from '../store/repos/inbound-repo.js';
import type { Store } from '../store/store.js';
import { cutUtf8 } from '../text/cut.js';
import type { AccessControl, AccessDecision } from './access.js';
import { AlbumGatherer } from './album-gatherer.js';
import type { AttachmentSource } from './attachment-source.js';
import { classify, type Outcome } from './classify.js';
import type { Command, CommandRegistry, CommandReply } from './commands.js';
import type { LaneQueue } from './lane-queue.js';
import type { GatewayMetrics } from './metrics.js';
import { normaliseInbound } from './normalise-inbound.js';
import type { Outbox } from './outbox.js';
import { enqueueReply } from './reply-writer.js';
import { type QueuedMessage, route } from './route.js';

export interface IntakeDeps {
  store: Store;
  config: Config;
  log: Logger;
  metrics: GatewayMetrics;
  access: AccessControl;
  commands: CommandRegistry;
  lanes: LaneQueue<QueuedMessage>;
  outbox: Outbox;
  attachments: AttachmentSource;
  textMax(channel: string): number;
  attachmentMax(channel: string): number | undefined;
}

export class Intake implements InboundSink {
  private readonly admitting = new Set<number>();
  private open = true;

  private readonly albums: AlbumGatherer;

  constructor(private readonly deps: IntakeDeps) {
    this.albums = new AlbumGatherer({ ...deps, enqueue: (msg) => deps.lanes.enqueue(msg) });
  }

  /** Stop accepting new messages (shutdown): channels get a refusal and keep the update. */
  close(): void {
    this.open = false;
    this.albums.close();
  }

  async receive(received: Inbound): Promise<InboundReceipt> {
    if (!this.open) throw new Error('the gateway is shutting down');
    const inbound = normaliseInbound(received);
    const started = performance.now();
    const { store, metrics, config } = this.deps;
    const maxBytes = config.limits.maxMessageBytes;
    const tooLarge = Buffer.byteLength(inbound.text, 'utf8') > maxBytes;
    const refusal = tooLarge ? `message is larger than ${Math.round(maxBytes / 1024)} KiB` : undefined;
    // Persist, check access and route in one transaction when the access check is synchronous
    // (the common case): one commit per message instead of three.
    const step = await store.batch.run(() => {
      const row = store.inbound.insert({
        channel: inbound.channel,
        platformId: inbound.platformId,
        conversationKey: inbound.conversationKey,
        route: inbound.route,
        senderId: inbound.sender.id,
        senderName: inbound.sender.name,
        isBot: inbound.sender.isBot === true,
        isDirect: inbound.isDirect,
        mentioned: inbound.mentioned,
        // An oversized message is kept (truncated) so the refusal is traceable, but never run.
        text: tooLarge ? cutUtf8(inbound.text, maxBytes) : inbound.text,
        attachments: inbound.attachments.map((a) => ({
          name: a.name,
          mime: a.mime,
          size: a.size,
          ...(a.ref ? { ref: a.ref } : {}),
        })),
        receivedAt: inbound.at.getTime(),
        ...(inbound.context ? { context: inbound.context } : {}),
      });
      if (row === undefined) return undefined;
      const decision = this.deps.access.check(row);
      if (decision instanceof Promise) return { row, later: decision };
      return { row, outcome: this.record(row, this.classify(row, decision, refusal)) };
    });
    if (step === undefined) {
      metrics.inbound.inc({ channel: inbound.channel, outcome: 'duplicate' });
      const first = store.inbound.findByPlatformId(inbound.channel, inbound.platformId);
      return {
        accepted: false,
        duplicate: true,
        reason: 'already received',
        ...(first ? { id: first.id } : {}),
      };
    }
    this.deps.attachments.remember(step.row.id, inbound.attachments);
    if (step.outcome) await this.follow(step.row, step.outcome);
    else await this.admit(step.row, refusal, step.later);
    metrics.intakeSeconds.observe((performance.now() - started) / 1000);
    const settled = step.outcome?.kind === 'settle' ? step.outcome : undefined;
    return {
      accepted: true,
      duplicate: false,
      id: step.row.id,
      ...(settled ? { refused: { replied: settled.reply !== undefined } } : {}),
    };
  }

  /**
   * Picks up rows this process did not admit: received before a restart, or handed back by an
   * approval from the CLI (held → received). Only `received` needs polling: this process is the
   * only writer of `queued`, and resumeQueued() takes over the ones left by the last process.
   */
  async poll(): Promise<void> {
    for (const row of this.deps.store.inbound.listByState(['received'], 200)) {
      if (!this.admitting.has(row.id)) await this.admit(row);
    }
  }

  /**
   * At start: messages that were waiting in lanes when the last process stopped, routed again by
   * the same step (routes hold live command objects, so they are not stored). A queued command
   * whose name no longer exists (an upgrade removed it) goes to the agent as text, not dropped.
   */
  resumeQueued(): void {
    const { store, commands } = this.deps;
    for (const row of store.inbound.listByState(['queued'], 1_000_000)) {
      const routed = route(row.text, commands);
      this.enqueue({
        ...row,
        target: routed.kind === 'unknown-command' ? { kind: 'agent', text: row.text } : routed,
      });
    }
  }

  /** Into its lane — unless it is part of an album, which is gathered first (album-gatherer.ts). */
  private enqueue(msg: QueuedMessage): void {
    if (!this.albums.offer(msg)) this.deps.lanes.enqueue(msg);
  }

  private async admit(row: InboundRow, refusal?: string, pending?: Promise<AccessDecision>): Promise<void> {
    if (this.admitting.has(row.id)) return;
    this.admitting.add(row.id);
    try {
      const decision = await (pending ?? this.deps.access.check(row));
      const outcome = this.deps.store.db.transaction(() =>
        this.record(row, this.classify(row, decision, refusal)),
      )();
      await this.follow(row, outcome);
    } catch (err) {
      this.deps.log.error(
        { err, inbound: row.id },
        'could not admit a message; it stays received and is retried',
      );
    } finally {
      this.admitting.delete(row.id);
    }
  }

  /** What happens to an admitted message (no side effects): classify.ts, with this channel's limits. */
  private classify(row: InboundRow, decision: AccessDecision, refusal?: string): Outcome {
    const attachmentLimit = Math.min(
      this.deps.config.limits.maxAttachmentBytes,
      this.deps.attachmentMax(row.channel) ?? Number.POSITIVE_INFINITY,
    );
    return classify(row, decision, {
      commands: this.deps.commands,
      attachmentLimit,
      ...(refusal ? { refusal } : {}),
    });
  }

  /** The database half of an outcome; runs inside the caller's transaction. */
  private record(row: InboundRow, outcome: Outcome): Outcome | undefined {
    const { store } = this.deps;
    const to = outcome.kind === 'settle' ? outcome.state : outcome.kind === 'queue' ? 'queued' : 'running';
    if (
      !store.inbound.transition(row.id, ['received'], to, outcome.kind === 'settle' ? outcome.reason : null)
    )
      return undefined;
    if (outcome.kind === 'settle' && outcome.reply) this.reply(row, outcome.reply);
    return outcome;
  }

  /** The in-memory half, after the commit: start the run, the command, or the outbox. */
  private async follow(row: InboundRow, outcome: Outcome | undefined): Promise<void> {
    if (!outcome) return; // someone else moved the row first
    const { metrics } = this.deps;
    if (outcome.kind === 'settle') {
      metrics.inbound.inc({ channel: row.channel, outcome: outcome.outcome });
      if (outcome.state !== 'held') this.deps.attachments.forget(row.id);
      if (outcome.reply) this.deps.outbox.wake();
    } else if (outcome.kind === 'queue') {
      metrics.inbound.inc({ channel: row.channel, outcome: 'queued' });
      this.enqueue({ ...row, state: 'queued', target: outcome.target });
    } else {
      metrics.inbound.inc({ channel: row.channel, outcome: 'command' });
      await this.runImmediate(row, outcome.args, outcome.command.run.bind(outcome.command));
    }
  }

  /** An immediate command is done: its reply and the row's final state, in one transaction. */
  private finishImmediate(row: InboundRow, reply: CommandReply | undefined): void {
    const { store } = this.deps;
    store.db.transaction(() => {
      if (!store.inbound.transition(row.id, ['running'], 'done')) return;
      if (reply) this.reply(row, reply);
    })();
    this.deps.attachments.forget(row.id);
    if (reply) this.deps.outbox.wake();
  }

  private reply(row: InboundRow, reply: CommandReply): void {
    enqueueReply(
      this.deps.store,
      { channel: row.channel, conversationKey: row.conversationKey, route: row.route, inboundId: row.id },
      reply,
      { textMax: this.deps.textMax(row.channel) },
    );
  }

  private async runImmediate(row: InboundRow, args: string, run: Command['run']): Promise<void> {
    const { log } = this.deps;
    let reply: CommandReply | undefined;
    try {
      reply = await run({
        msg: row,
        args,
        signal: new AbortController().signal,
        log,
        emit: () => {},
        sandbox: () => Promise.reject(new Error('this command does not use a sandbox')),
      });
    } catch (err) {
      reply = { text: `That command failed: ${(err as Error).message}` };
    }
    this.finishImmediate(row, reply);
  }
}
