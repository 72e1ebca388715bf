// /api/sandboxes (behind the gateway token): what `sandgate sandboxes list|rm|gc` uses while the
// gateway runs, because only the running gateway knows which sandboxes are leased, busy, or held
// by a run, the warm pool, the eval pool or MCP. An unknown id is a 404; provider errors are a 500.

import { Hono } from 'hono';
import type { SlotInfo } from '../../sandbox/capacity.js';
import type { LeaseInfo } from '../../sandbox/conversation-sandboxes.js';
import type { SandboxInfo } from '../../sandbox/provider.js';

export interface SandboxAdmin {
  /** Every sandgate sandbox the provider knows (label `sandgate=1`). */
  list(): Promise<SandboxInfo[]>;
  /** Conversation leases (which conversation, busy or not). */
  leases(): LeaseInfo[];
  /** Capacity slots (who holds each running sandbox). */
  slots(): SlotInfo[];
  /** Delete by id whoever holds it, releasing its slot; false when there is no such sandbox. */
  remove(id: string): Promise<boolean>;
  /** Stop idle sandboxes, delete long-idle and orphaned ones. */
  gc(): Promise<{ stopped: string[]; deleted: string[] }>;
}

/** One row of GET /api/sandboxes: the provider's info plus what the gateway knows about it. */
export interface SandboxRow extends SandboxInfo {
  conversation?: string;
  busy: boolean;
  /** Who holds its capacity slot (`conversation`, `pool`, `run`, `eval`, `mcp`), while it runs. */
  owner?: SlotInfo['owner'];
  /** Which one within the owner (`run 12: rlm depth 1`). */
  ownerLabel?: string;
}

/** Mount under the token-guarded API: `api.route('/sandboxes', sandboxesRoutes(admin))`. */
export function sandboxesRoutes(admin: SandboxAdmin): Hono {
  return new Hono()
    .get('/', async (c) => {
      const leased = new Map(admin.leases().map((l) => [l.sandboxId, l]));
      const held = new Map(admin.slots().map((s) => [s.sandboxId, s]));
      const rows: SandboxRow[] = (await admin.list()).map((s) => {
        const slot = held.get(s.id);
        const conversation = leased.get(s.id)?.conversationKey ?? s.labels.conversation;
        return {
          ...s,
          ...(conversation !== undefined ? { conversation } : {}),
          busy: leased.get(s.id)?.busy ?? false,
          ...(slot ? { owner: slot.owner, ownerLabel: slot.label } : {}),
        };
      });
      return c.json(rows);
    })
    .delete('/:id', async (c) => {
      const id = c.req.param('id');
      if (!(await admin.remove(id))) return c.json({ error: 'no such sandbox' }, 404);
      return c.json({ deleted: id });
    })
    .post('/gc', async (c) => c.json(await admin.gc()));
}
