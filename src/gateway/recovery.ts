// Restart recovery (DESIGN §3): a run that was executing when the process died cannot be resumed
// safely, so it becomes `interrupted` and its sender is told; queued and received rows are left for
// the lanes and the intake poll, and pending deliveries for the outbox.

import type { Store } from '../store/store.js';
import { shorten } from '../text/cut.js';
import { enqueueReply } from './reply-writer.js';

export function recoverAfterRestart(
  store: Store,
  textMax: (channel: string) => number,
): { interrupted: number } {
  let interrupted = 0;
  for (const run of store.runs.running()) {
    const msg = store.inbound.get(run.inboundId);
    store.db.transaction(() => {
      if (!store.runs.finish(run.id, 'interrupted', 'the gateway stopped while this run was executing'))
        return;
      interrupted++;
      if (!msg || !store.inbound.transition(msg.id, ['running'], 'interrupted', 'gateway restarted')) return;
      const what = shorten(msg.text, 58);
      enqueueReply(
        store,
        {
          channel: msg.channel,
          conversationKey: msg.conversationKey,
          route: msg.route,
          inboundId: msg.id,
          runId: run.id,
        },
        {
          text: `Your request “${what}” was interrupted because the gateway restarted. Send it again if you still need it.`,
        },
        { textMax: textMax(msg.channel) },
      );
    })();
  }
  // Immediate commands have no run row; they are short, so just close them.
  for (const msg of store.inbound.listByState(['running'])) {
    store.inbound.transition(msg.id, ['running'], 'interrupted', 'gateway restarted');
  }
  return { interrupted };
}
