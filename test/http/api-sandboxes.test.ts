// /api/sandboxes over real local sandboxes: the listing says which conversation holds a sandbox and
// who holds its slot (a run's child too), delete by id releases the slot whoever held it, unknown
// ids are 404, and gc answers with what it stopped and deleted.

import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { type SandboxRow, sandboxesRoutes } from '../../src/http/api/sandboxes.js';
import { ConversationSandboxes } from '../../src/sandbox/conversation-sandboxes.js';
import { localProvider, silentLog, tempHome } from '../sandbox/helpers.js';

describe('/api/sandboxes', () => {
  const { home, cleanup } = tempHome();
  const provider = localProvider(home);
  const leases = new ConversationSandboxes({ provider, log: silentLog, idleStopSec: 0, maxLive: 4 });
  const app = new Hono().route(
    '/api/sandboxes',
    sandboxesRoutes({
      list: () => provider.list({ labels: { sandgate: '1' } }),
      leases: () => leases.list(),
      slots: () => leases.capacity.list(),
      remove: (id) => leases.remove(id),
      gc: () => leases.gc(),
    }),
  );

  afterAll(async () => {
    await leases.shutdown();
    await provider.shutdown();
    cleanup();
  }, 60_000);

  it('lists, deletes by id whoever holds the sandbox, and runs gc', async () => {
    const conv = await leases.acquire('telegram:42');
    await conv.exec('true');
    const run = leases.forRun({
      runId: 7,
      conversationKey: 'telegram:42',
      signal: new AbortController().signal,
      log: silentLog,
    });
    const child = await run.spawn({ purpose: 'rlm depth 1' });

    const rows = (await (await app.request('/api/sandboxes')).json()) as SandboxRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(conv.id)).toMatchObject({
      conversation: 'telegram:42',
      busy: false,
      state: 'running',
      owner: 'conversation',
      ownerLabel: 'telegram:42',
    });
    expect(byId.get(child.id)).toMatchObject({ owner: 'run', ownerLabel: 'run 7: rlm depth 1', busy: false });
    expect(leases.capacity.used).toBe(2);

    const del = await app.request(`/api/sandboxes/${child.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ deleted: child.id });
    expect(await provider.get(child.id)).toBeUndefined();
    expect(leases.capacity.used).toBe(1);
    expect((await app.request('/api/sandboxes/sb-0000000000', { method: 'DELETE' })).status).toBe(404);

    const delConv = await app.request(`/api/sandboxes/${conv.id}`, { method: 'DELETE' });
    expect(delConv.status).toBe(200);
    expect(leases.list()).toEqual([]);
    expect(leases.capacity.used).toBe(0);

    const gc = await app.request('/api/sandboxes/gc', { method: 'POST' });
    expect(await gc.json()).toEqual({ stopped: [], deleted: [] });
    await run.close();
  }, 60_000);
});
