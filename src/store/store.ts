// The repositories over one database, built together so callers take a single `Store`.

import type { Db } from './db.js';
import { ArtifactsRepo } from './repos/artifacts-repo.js';
import { ConversationsRepo } from './repos/conversations-repo.js';
import { DeliveriesRepo } from './repos/deliveries-repo.js';
import { InboundRepo } from './repos/inbound-repo.js';
import { KvRepo } from './repos/kv-repo.js';
import { RunsRepo } from './repos/runs-repo.js';
import { ToolCallsRepo } from './repos/tool-calls-repo.js';
import { WriteBatcher } from './write-batcher.js';

export interface Store {
  db: Db;
  inbound: InboundRepo;
  runs: RunsRepo;
  deliveries: DeliveriesRepo;
  artifacts: ArtifactsRepo;
  conversations: ConversationsRepo;
  kv: KvRepo;
  /** Each tool call of a run (the dashboard's run page). */
  toolCalls: ToolCallsRepo;
  /** Group commit for the hot path (intake, run start/finish, delivery receipts). */
  batch: WriteBatcher;
}

export function createStore(db: Db): Store {
  return {
    db,
    inbound: new InboundRepo(db),
    runs: new RunsRepo(db),
    deliveries: new DeliveriesRepo(db),
    artifacts: new ArtifactsRepo(db),
    conversations: new ConversationsRepo(db),
    kv: new KvRepo(db),
    toolCalls: new ToolCallsRepo(db),
    batch: new WriteBatcher(db),
  };
}
