// How far the gateway got with one inbound message: its state, its replies, and whether it is
// complete — in a final state with no reply still pending. The JSON of GET /api/local/messages/:id
// (DESIGN §9.7) and the test the gateway uses before telling a channel a message settled.

import type { InboundRow } from '../store/repos/inbound-repo.js';
import type { Store } from '../store/store.js';

export interface MessageStatus {
  id: number;
  state: InboundRow['state'];
  reason: string | null;
  deliveries: { id: number; state: 'pending' | 'sent' | 'failed' }[];
  complete: boolean;
}

/** States a message can still leave on its own; any other state is final (held waits for a person). */
const UNSETTLED: readonly string[] = ['received', 'queued', 'running'];

/** Replies are looked for among the conversation's last 200 deliveries. */
export function messageStatus(store: Pick<Store, 'deliveries'>, row: InboundRow): MessageStatus {
  const deliveries = store.deliveries
    .listForConversation(row.conversationKey, 200)
    .filter((d) => d.inboundId === row.id);
  return {
    id: row.id,
    state: row.state,
    reason: row.stateReason,
    deliveries: deliveries.map((d) => ({ id: d.id, state: d.state })),
    complete: !UNSETTLED.includes(row.state) && deliveries.every((d) => d.state !== 'pending'),
  };
}
