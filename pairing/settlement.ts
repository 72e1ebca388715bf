// Settling decided requests: the kept first message — with the rest of its album, when it was one of
// several files sent together — goes back to the pipeline (`held` → `received`) when approved, or is
// rejected when denied or expired, each exactly once, via inbound's compare-and-set.
// Also the housekeeping sweep (expiry, throttles, old requests); call it inside a write transaction.

import type { PairingContext } from './context.js';
import { REQUEST_RETENTION_MS } from './context.js';
import type { PairingRequest } from './pairing-requests.js';

/** Moves the kept message on; true when this call moved it. Leaves the request unsettled while the
 * gateway has not yet applied its own `hold` to the message (still `received`), to retry on the next sweep. */
export function settle(ctx: PairingContext, req: PairingRequest): boolean {
  if (req.state === 'pending') return false;
  if (req.inboundId === null) {
    ctx.requests.markSettled(req.id);
    return false;
  }
  const approved = req.state === 'approved';
  const reason = approved
    ? 'pairing approved'
    : req.state === 'denied'
      ? 'pairing denied'
      : 'pairing request expired';
  const kept = ctx.inbound.get(req.inboundId);
  const parts = kept ? ctx.inbound.heldAlbumParts(kept) : [];
  if (ctx.inbound.transition(req.inboundId, ['held'], approved ? 'received' : 'rejected', reason)) {
    for (const part of parts)
      ctx.inbound.transition(part.id, ['held'], approved ? 'received' : 'rejected', reason);
    ctx.requests.markSettled(req.id);
    return true;
  }
  const row = ctx.inbound.get(req.inboundId);
  if (row?.state !== 'received') ctx.requests.markSettled(req.id);
  return false;
}

/** Expires requests whose time is up, settles decided ones, forgets old throttles and requests. */
export function sweep(ctx: PairingContext, now: number): void {
  const expired = ctx.requests.expireDue(now);
  if (expired > 0) ctx.log.info({ expired }, 'pairing requests expired');
  for (const req of ctx.requests.unsettled()) settle(ctx, req);
  ctx.throttle.purge(now);
  ctx.requests.purge(now - REQUEST_RETENTION_MS);
}
