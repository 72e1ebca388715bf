// GET /api/local/messages/:id: how far the gateway got with a message sent through the local API
// (DESIGN §9.7: {"id", "state", "reason", "deliveries", "complete"}). The gateway's answer, not the
// channel's: it reads the store. Other channels' messages are not exposed here (404).

import { Hono } from 'hono';
import { messageStatus } from '../../gateway/message-status.js';
import type { Store } from '../../store/store.js';

export function messageStatusRoutes(store: Pick<Store, 'inbound' | 'deliveries'>): Hono {
  const api = new Hono();
  api.get('/messages/:id', (c) => {
    const id = Number(c.req.param('id'));
    const row = Number.isInteger(id) ? store.inbound.get(id) : undefined;
    if (row?.channel !== 'local') return c.json({ error: 'no such message' }, 404);
    return c.json(messageStatus(store, row));
  });
  return api;
}
