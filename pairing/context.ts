// What every part of pairing/ shares: its repositories, the two core repositories it writes to (inbound
// for the kept message, deliveries for notices), the policy config, a clock and a logger. Built once.

import type { Logger } from 'pino';
import type { Db } from '../src/store/db.js';
import type { DeliveriesRepo } from '../src/store/repos/deliveries-repo.js';
import type { InboundRepo } from '../src/store/repos/inbound-repo.js';
import type { AllowlistRepo } from './allowlist.js';
import type { AuditLog } from './audit.js';
import type { OwnersRepo } from './owners.js';
import type { PairingRequestsRepo } from './pairing-requests.js';
import type { PairingThrottleRepo } from './pairing-throttle.js';
import type { PolicyConfig } from './policies.js';

/** The narrow part of the core Store pairing needs. */
export interface PairingStore {
  db: Db;
  inbound: Pick<InboundRepo, 'get' | 'transition' | 'heldAlbumParts'>;
  deliveries: Pick<DeliveriesRepo, 'enqueue'>;
}

export interface PairingContext {
  db: Db;
  inbound: PairingStore['inbound'];
  deliveries: PairingStore['deliveries'];
  requests: PairingRequestsRepo;
  throttle: PairingThrottleRepo;
  allowlist: AllowlistRepo;
  owners: OwnersRepo;
  audit: AuditLog;
  config: PolicyConfig;
  clock: () => number;
  log: Logger;
  ttlMs: number;
  maxPending: number;
  /** Random integer in [0, n) for code characters; crypto.randomInt unless a test injects one. */
  pick: (n: number) => number;
}

/** Decided requests are forgotten this long after their decision; the audit log keeps the history. */
export const REQUEST_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
