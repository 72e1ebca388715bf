// Approving and denying pairing requests — the same code path for the CLI, an owner's chat and the
// dashboard. Each decision is ONE immediate transaction: request compare-and-set, allowlist, owner,
// notice in the outbox, kept message handed back, audit entry. A racing second approval gets a clear error.

import type { Actor } from './audit.js';
import type { PairingContext } from './context.js';
import { describeSender, safeText } from './display.js';
import { PairingError } from './errors.js';
import { approvedNotice } from './messages.js';
import { normaliseCode } from './pairing-codes.js';
import type { PairingRequest } from './pairing-requests.js';
import { assertChannel, type ChannelName } from './policies.js';
import { settle, sweep } from './settlement.js';

export interface ApproveOptions {
  /** Tell the sender they were approved (default true; `--no-notify` turns it off). */
  notify?: boolean;
}

export interface ApprovalResult {
  request: PairingRequest;
  /** The sender became the channel's owner (first approval on the channel). */
  becameOwner: boolean;
  /** An approval notice was put in the outbox. */
  notified: boolean;
  /** The kept first message was handed back to the pipeline by this approval. */
  replayed: boolean;
}

export interface DenialResult {
  request: PairingRequest;
}

/** Validates a person's channel and code input; usage errors (exit 2) when malformed. */
export function parseTarget(channel: string, code: string): { channel: ChannelName; code: string } {
  const ch = assertChannel(channel);
  const normalised = normaliseCode(code);
  if (!normalised) {
    throw new PairingError(
      'malformed-code',
      `"${safeText(code, 40)}" is not a pairing code: codes are 8 letters and digits, e.g. ABCD2345`,
    );
  }
  return { channel: ch, code: normalised };
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The error for a code that refers to a request no longer pending. */
function notPendingError(req: PairingRequest, code: string): PairingError {
  const who = describeSender(req.senderId, req.senderName);
  const at = req.decidedAt !== null ? when(req.decidedAt) : 'earlier';
  switch (req.state) {
    case 'approved':
      return new PairingError(
        'already-approved',
        `pairing code ${code} on ${req.channel} was already approved (${who}, by ${req.decidedBy ?? 'unknown'} at ${at})`,
      );
    case 'denied':
      return new PairingError(
        'already-denied',
        `pairing code ${code} on ${req.channel} was already denied (${who}, by ${req.decidedBy ?? 'unknown'} at ${at})`,
      );
    default:
      return new PairingError(
        'expired',
        `pairing code ${code} on ${req.channel} expired at ${when(req.expiresAt)}; ask ${who} to message the bot again for a new code`,
      );
  }
}

function notFound(channel: string, code: string): PairingError {
  return new PairingError(
    'not-found',
    `no pairing request with code ${code} on ${channel}; see the pending ones with: sandgate pairing list ${channel}`,
  );
}

type Outcome<T> = { ok: T } | { error: PairingError };

function unwrap<T>(o: Outcome<T>): T {
  if ('error' in o) throw o.error;
  return o.ok;
}

/** Finds the pending request for a code, after expiring what is due (committed even when this fails). */
function claim(ctx: PairingContext, channel: string, code: string, now: number): Outcome<PairingRequest> {
  sweep(ctx, now);
  const req = ctx.requests.findByCode(channel, code);
  if (!req) return { error: notFound(channel, code) };
  if (req.state !== 'pending') return { error: notPendingError(req, code) };
  return { ok: req };
}

export function approve(
  ctx: PairingContext,
  channelInput: string,
  codeInput: string,
  actor: Actor,
  opts: ApproveOptions = {},
): ApprovalResult {
  const { channel, code } = parseTarget(channelInput, codeInput);
  const outcome = ctx.db
    .transaction((): Outcome<ApprovalResult> => {
      const now = ctx.clock();
      const claimed = claim(ctx, channel, code, now);
      if ('error' in claimed) return claimed;
      const req = claimed.ok;
      if (!ctx.requests.decide(req.id, 'approved', now, actor)) {
        const again = ctx.requests.get(req.id);
        return { error: again ? notPendingError(again, code) : notFound(channel, code) };
      }
      ctx.allowlist.add({
        channel,
        kind: 'sender',
        subject: req.senderId,
        name: req.senderName,
        addedBy: actor,
        addedAt: now,
      });
      const becameOwner = ctx.owners.setIfNone(channel, req.senderId, now);
      const notified = opts.notify !== false;
      if (notified) {
        ctx.deliveries.enqueue(
          {
            channel,
            conversationKey: req.conversationKey,
            route: req.route,
            inboundId: req.inboundId,
            payload: { text: approvedNotice() },
          },
          now,
        );
      }
      const decided = ctx.requests.get(req.id) ?? { ...req, state: 'approved' as const };
      const replayed = settle(ctx, decided);
      ctx.throttle.clear(channel, req.senderId);
      ctx.audit.record({
        at: now,
        action: 'pairing.approve',
        channel,
        subject: req.senderId,
        actor,
        detail: { requestId: req.id, senderName: req.senderName, notified },
      });
      if (becameOwner) {
        ctx.audit.record({
          at: now,
          action: 'owner.set',
          channel,
          subject: req.senderId,
          actor,
          detail: null,
        });
      }
      return {
        ok: { request: ctx.requests.get(req.id) ?? decided, becameOwner, notified, replayed },
      };
    })
    .immediate();
  const result = unwrap(outcome);
  ctx.log.info(
    { channel, requestId: result.request.id, actor, becameOwner: result.becameOwner },
    'pairing request approved',
  );
  return result;
}

export function deny(
  ctx: PairingContext,
  channelInput: string,
  codeInput: string,
  actor: Actor,
): DenialResult {
  const { channel, code } = parseTarget(channelInput, codeInput);
  const outcome = ctx.db
    .transaction((): Outcome<DenialResult> => {
      const now = ctx.clock();
      const claimed = claim(ctx, channel, code, now);
      if ('error' in claimed) return claimed;
      const req = claimed.ok;
      if (!ctx.requests.decide(req.id, 'denied', now, actor)) {
        const again = ctx.requests.get(req.id);
        return { error: again ? notPendingError(again, code) : notFound(channel, code) };
      }
      // No new code for this sender for a while: a denied stranger who keeps writing gets silence.
      ctx.throttle.set(channel, req.senderId, 'denied', now + ctx.ttlMs);
      const decided = ctx.requests.get(req.id) ?? { ...req, state: 'denied' as const };
      settle(ctx, decided);
      ctx.audit.record({
        at: now,
        action: 'pairing.deny',
        channel,
        subject: req.senderId,
        actor,
        detail: { requestId: req.id, senderName: req.senderName },
      });
      return { ok: { request: ctx.requests.get(req.id) ?? decided } };
    })
    .immediate();
  const result = unwrap(outcome);
  ctx.log.info({ channel, requestId: result.request.id, actor }, 'pairing request denied');
  return result;
}

/** Pending requests (oldest first), after expiring what is due. */
export function listPending(ctx: PairingContext, channel?: string): PairingRequest[] {
  const ch = channel === undefined ? undefined : assertChannel(channel);
  return ctx.db
    .transaction(() => {
      sweep(ctx, ctx.clock());
      return ctx.requests.listPending(ch);
    })
    .immediate();
}
