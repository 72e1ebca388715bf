// The factory the gateway and the CLI call: builds pairing's repositories over the store's database and
// returns the access step, the owner chat commands, and approve/deny/list/allow operations.
// Everything is synchronous (better-sqlite3); each operation is one transaction.

import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { AccessControl } from '../src/gateway/access.js';
import type { Command } from '../src/gateway/commands.js';
import { createAccessControl } from './access-control.js';
import {
  type AddOptions,
  type AddResult,
  addEntry,
  type RemoveResult,
  removeEntry,
} from './allow-changes.js';
import { type AllowEntry, AllowlistRepo } from './allowlist.js';
import {
  type ApprovalResult,
  type ApproveOptions,
  approve,
  type DenialResult,
  deny,
  listPending,
} from './approvals.js';
import { type Actor, type AuditEntry, AuditLog } from './audit.js';
import { createChatCommands } from './chat-commands.js';
import type { PairingContext, PairingStore } from './context.js';
import { type ChannelOwner, OwnersRepo } from './owners.js';
import { CODE_TTL_MS } from './pairing-codes.js';
import { type PairingRequest, PairingRequestsRepo } from './pairing-requests.js';
import { PairingThrottleRepo } from './pairing-throttle.js';
import { assertChannel, type PolicyConfig } from './policies.js';
import { sweep } from './settlement.js';

/** At most this many pending requests per channel (DESIGN §8). */
export const MAX_PENDING_PER_CHANNEL = 3;

export interface PairingOptions {
  store: PairingStore;
  /** `channels.<id>.dmPolicy / groupPolicy`; read on every check, so a reloaded config applies at once. */
  config: PolicyConfig;
  log: Logger;
  /** Milliseconds since the epoch; tests inject one. */
  clock?: () => number;
  ttlMs?: number;
  maxPending?: number;
  /** Random integer in [0, n) for code characters (tests force collisions with it). */
  pick?: (n: number) => number;
}

/** A pending request as listed, with a preview of the kept first message. */
export interface PendingRequest extends PairingRequest {
  firstMessage: string | null;
}

export interface Pairing {
  access: AccessControl;
  /** `/approve`, `/deny`, `/pending` — register them on the gateway's CommandRegistry. */
  commands: Command[];
  approve(channel: string, code: string, actor: Actor, opts?: ApproveOptions): ApprovalResult;
  deny(channel: string, code: string, actor: Actor): DenialResult;
  list(channel?: string): PendingRequest[];
  /** Expires due requests and settles decided ones; the gateway may call it from its poll loop. */
  sweep(): void;
  allow: {
    list(channel?: string): AllowEntry[];
    add(channel: string, entry: string, actor: Actor, opts?: AddOptions): AddResult;
    remove(channel: string, entry: string, actor: Actor): RemoveResult;
    isAllowed(channel: string, senderId: string): boolean;
  };
  owners: {
    get(channel: string): ChannelOwner | undefined;
    list(): ChannelOwner[];
  };
  audit: {
    list(opts?: { limit?: number; channel?: string }): AuditEntry[];
  };
}

export function createPairing(opts: PairingOptions): Pairing {
  const { db } = opts.store;
  const ctx: PairingContext = {
    db,
    inbound: opts.store.inbound,
    deliveries: opts.store.deliveries,
    requests: new PairingRequestsRepo(db),
    throttle: new PairingThrottleRepo(db),
    allowlist: new AllowlistRepo(db),
    owners: new OwnersRepo(db),
    audit: new AuditLog(db),
    config: opts.config,
    clock: opts.clock ?? Date.now,
    log: opts.log,
    ttlMs: opts.ttlMs ?? CODE_TTL_MS,
    maxPending: opts.maxPending ?? MAX_PENDING_PER_CHANNEL,
    pick: opts.pick ?? randomInt,
  };
  return {
    access: createAccessControl(ctx),
    commands: createChatCommands(ctx),
    approve: (channel, code, actor, o) => approve(ctx, channel, code, actor, o),
    deny: (channel, code, actor) => deny(ctx, channel, code, actor),
    list: (channel) =>
      listPending(ctx, channel).map((r) => ({
        ...r,
        firstMessage: r.inboundId === null ? null : (ctx.inbound.get(r.inboundId)?.text ?? null),
      })),
    sweep: () => db.transaction(() => sweep(ctx, ctx.clock())).immediate(),
    allow: {
      list: (channel) => ctx.allowlist.list(channel === undefined ? undefined : assertChannel(channel)),
      add: (channel, entry, actor, o) => addEntry(ctx, channel, entry, actor, o),
      remove: (channel, entry, actor) => removeEntry(ctx, channel, entry, actor),
      isAllowed: (channel, senderId) => channel === 'local' || ctx.allowlist.has(channel, 'sender', senderId),
    },
    owners: {
      get: (channel) => ctx.owners.get(channel),
      list: () => ctx.owners.list(),
    },
    audit: {
      list: (o) =>
        ctx.audit.list({ ...o, channel: o?.channel === undefined ? undefined : assertChannel(o.channel) }),
    },
  };
}
