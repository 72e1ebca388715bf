// The AccessControl the gateway asks at step 3 of the pipeline (DESIGN §3): local channel always in,
// bots ignored, group and DM policies, and the pairing flow for unknown DM senders. Reads the store on
// every call (nothing cached), so an allowlist removal applies to the very next message.

import type { AccessControl, AccessDecision } from '../src/gateway/access.js';
import type { InboundRow } from '../src/store/repos/inbound-repo.js';
import type { PairingContext } from './context.js';
import { safeText } from './display.js';
import { pairingReply, queueFullReply } from './messages.js';
import { generateCode } from './pairing-codes.js';
import type { PairingRequest } from './pairing-requests.js';
import { decideDirect, decideGroup, policyFor } from './policies.js';
import { sweep } from './settlement.js';

/** An inbound row, with the bot flag once the gateway persists it (inbound.is_bot, migration 002). */
export type AccessMessage = InboundRow & { isBot?: boolean };

/** Channels report bots with `isBot`; ids of the form `bot:…` are bots too (including the gateway's own). */
export function isBotSender(msg: AccessMessage): boolean {
  return msg.isBot === true || msg.senderId.startsWith('bot:');
}

const CODE_ATTEMPTS = 20;

function createRequest(ctx: PairingContext, msg: AccessMessage, now: number): PairingRequest {
  for (let i = 0; i < CODE_ATTEMPTS; i++) {
    const req = ctx.requests.create({
      channel: msg.channel,
      senderId: msg.senderId,
      senderName: msg.senderName,
      conversationKey: msg.conversationKey,
      route: msg.route,
      inboundId: msg.id,
      code: generateCode(ctx.pick),
      createdAt: now,
      expiresAt: now + ctx.ttlMs,
    });
    if (req) return req;
  }
  throw new Error(`could not find a free pairing code on ${msg.channel} after ${CODE_ATTEMPTS} tries`);
}

/** An unknown sender's DM under dmPolicy=pairing. Runs inside the caller's write transaction. */
function pairingFlow(ctx: PairingContext, msg: AccessMessage, now: number): AccessDecision {
  const pending = ctx.requests.pendingFor(msg.channel, msg.senderId);
  if (pending) {
    // The kept message itself, checked again (the gateway restarted before acting on our answer): same answer.
    if (pending.inboundId === msg.id && pending.code) {
      return {
        allow: false,
        hold: true,
        reason: 'pairing request created',
        reply: pairingReply(msg.channel, pending.code, ctx.ttlMs),
      };
    }
    // The rest of the kept message's album is kept with it, so an approval replays all of its files.
    if (msg.context.album !== undefined && pending.inboundId !== null) {
      const kept = ctx.inbound.get(pending.inboundId);
      if (kept?.context.album === msg.context.album && kept.conversationKey === msg.conversationKey)
        return { allow: false, hold: true, reason: 'part of an album kept for a pairing request' };
    }
    // Repeat DMs within the TTL: no second code, no reply.
    return { allow: false, reason: 'pairing request already pending' };
  }
  const throttled = ctx.throttle.active(msg.channel, msg.senderId, now);
  if (throttled?.reason === 'denied') return { allow: false, reason: 'sender was denied recently' };
  if (ctx.requests.countPending(msg.channel) >= ctx.maxPending) {
    if (throttled) return { allow: false, reason: 'pairing queue full; sender already told' };
    ctx.throttle.set(msg.channel, msg.senderId, 'capped', now + ctx.ttlMs);
    ctx.log.info(
      { channel: msg.channel, max: ctx.maxPending },
      'pairing queue full; sender asked to retry later',
    );
    return { allow: false, reason: 'pairing queue full', reply: queueFullReply() };
  }
  if (throttled) ctx.throttle.clear(msg.channel, msg.senderId);
  const req = createRequest(ctx, msg, now);
  ctx.log.info(
    { channel: msg.channel, requestId: req.id, sender: safeText(msg.senderId) },
    'pairing request created',
  );
  return {
    allow: false,
    hold: true,
    reason: 'pairing request created',
    reply: pairingReply(msg.channel, req.code ?? '', ctx.ttlMs),
  };
}

function decide(ctx: PairingContext, msg: AccessMessage): AccessDecision {
  const now = ctx.clock();
  sweep(ctx, now);
  const policy = policyFor(ctx.config, msg.channel);
  if (!msg.isDirect) {
    const result = decideGroup(policy.groupPolicy, msg.mentioned, () =>
      ctx.allowlist.coversGroup(msg.channel, msg.conversationKey),
    );
    if (!result.allow && result.reason === 'group is not on the allowlist') {
      ctx.log.info(
        { channel: msg.channel, group: safeText(msg.conversationKey, 200) },
        `group not on the allowlist; allow it with: sandgate allow add ${msg.channel} group:${safeText(msg.conversationKey, 200)}`,
      );
    }
    return result;
  }
  const result = decideDirect(policy.dmPolicy, () => ctx.allowlist.has(msg.channel, 'sender', msg.senderId));
  if ('pair' in result) return pairingFlow(ctx, msg, now);
  return result;
}

export function createAccessControl(ctx: PairingContext): AccessControl {
  return {
    check(msg: AccessMessage): AccessDecision {
      // The local channel sits behind the gateway token: its sender is the owner by construction.
      if (msg.channel === 'local') return { allow: true };
      if (isBotSender(msg)) return { allow: false, reason: 'message from a bot' };
      return ctx.db.transaction(() => decide(ctx, msg)).immediate();
    },
  };
}
