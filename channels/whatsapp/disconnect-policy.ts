// What to do when Baileys closes the connection, by its DisconnectReason (the Boom status code on
// lastDisconnect.error). One table, so the reconnect behaviour can be read — and tested — in one place.
// Unknown codes are treated as transient: reconnecting with backoff is never harmful, giving up might be.

import { DisconnectReason } from '@whiskeysockets/baileys';
import type { ChannelState } from '../channel.js';

export type ReconnectAction =
  /** Reconnect immediately (WhatsApp asks for a restart right after linking). */
  | 'reconnect-now'
  /** Reconnect after a capped, jittered backoff. */
  | 'reconnect-backoff'
  /** The device was unlinked: wipe the auth state and wait for a new link. */
  | 'wipe-and-relink'
  /** Another client took over, or WhatsApp refuses this account: stop and report. */
  | 'stop';

export interface DisconnectDecision {
  action: ReconnectAction;
  /** What `status()` reports while the action is carried out. */
  state: ChannelState;
  /** Why, in words an owner can act on (the code is appended by describeDisconnect). */
  reason: string;
}

/** Baileys 7 DisconnectReason values (Types/index.d.ts); timedOut and connectionLost share 408. */
export const DISCONNECT_POLICY: ReadonlyMap<number, DisconnectDecision> = new Map([
  [
    DisconnectReason.restartRequired,
    { action: 'reconnect-now', state: 'connecting', reason: 'WhatsApp asked for a restart' },
  ],
  [
    DisconnectReason.timedOut,
    { action: 'reconnect-backoff', state: 'connecting', reason: 'connection timed out or was lost' },
  ],
  [
    DisconnectReason.connectionClosed,
    { action: 'reconnect-backoff', state: 'connecting', reason: 'connection closed' },
  ],
  [
    DisconnectReason.badSession,
    { action: 'reconnect-backoff', state: 'connecting', reason: 'WhatsApp server error' },
  ],
  [
    DisconnectReason.unavailableService,
    { action: 'reconnect-backoff', state: 'connecting', reason: 'WhatsApp is unavailable' },
  ],
  [
    DisconnectReason.loggedOut,
    {
      action: 'wipe-and-relink',
      state: 'needs-login',
      reason:
        'this device was logged out from the phone; link it again with `sandgate channels login whatsapp`',
    },
  ],
  [
    DisconnectReason.connectionReplaced,
    {
      action: 'stop',
      state: 'error',
      reason:
        'another WhatsApp Web session for this account replaced this one; close it, then restart the gateway',
    },
  ],
  [
    DisconnectReason.forbidden,
    { action: 'stop', state: 'error', reason: 'WhatsApp refused this account (forbidden)' },
  ],
  [
    DisconnectReason.multideviceMismatch,
    {
      action: 'stop',
      state: 'error',
      reason: 'WhatsApp refused this client version (multi-device mismatch); update sandgate',
    },
  ],
]);

/** The decision for a close with `statusCode` (undefined: the socket ended without a Boom). */
export function decideOnClose(statusCode: number | undefined): DisconnectDecision {
  const known = statusCode === undefined ? undefined : DISCONNECT_POLICY.get(statusCode);
  if (known) return known;
  return {
    action: 'reconnect-backoff',
    state: 'connecting',
    reason: statusCode !== undefined && statusCode >= 500 ? 'WhatsApp server error' : 'connection failed',
  };
}

/** The Boom status code Baileys puts on a close error (`output.statusCode`), if any. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const output = (error as { output?: { statusCode?: unknown } }).output;
  return typeof output?.statusCode === 'number' ? output.statusCode : undefined;
}
