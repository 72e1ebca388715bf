// What the gateway is doing: the overview (channels, queue, recent runs), conversations and their runs
// (progress lines, usage and cost, replies, preview links, images), run artifacts, live run events over
// SSE, and sandboxes. Read-only except deleting a sandbox.

import { Hono } from 'hono';
import { RUN_EVENTS } from '../../gateway/gateway-events.js';
import type { RunRow } from '../../store/repos/runs-repo.js';
import { cutText } from '../../text/cut.js';
import type { DashboardDeps } from './deps.js';
import type { EventStreams, StreamEvent } from './event-streams.js';
import { qrImage } from './qr-image.js';
import type { DashboardEnv } from './session.js';

const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

function runSummary(r: RunRow) {
  return {
    id: r.id,
    channel: r.channel,
    conversationKey: r.conversationKey,
    kind: r.kind,
    state: r.state,
    error: r.error,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    usage: r.usage,
    steps: r.progress.length,
  };
}

const safeLink = (url: string) => /^https?:\/\//i.test(url);

export function activityRoutes(
  deps: Pick<
    DashboardDeps,
    'store' | 'runTrees' | 'gateway' | 'sandboxes' | 'pairing' | 'devices' | 'log'
  > & {
    streams: EventStreams;
  },
): Hono<DashboardEnv> {
  const { store, gateway, streams } = deps;
  const app = new Hono<DashboardEnv>();
  const tree = (runId: number) => deps.runTrees?.get(runId) ?? null;

  app.get('/overview', async (c) => {
    const now = Date.now();
    const channels = await Promise.all(
      gateway.channelStatuses().map(async ({ id, status }) => ({
        id,
        ...status,
        ...(status.qr ? { qrImage: await qrImage(status.qr) } : {}),
      })),
    );
    return c.json({
      channels,
      queueDepth: gateway.lanes.depth,
      activeRuns: gateway.lanes.inFlight,
      runsByState: store.runs.countByState(),
      recentRuns: store.runs.list({ limit: 10 }).map(runSummary),
      pendingPairing: deps.pairing.list().length,
      pendingDevices: deps.devices.list().filter((d) => d.state === 'pending' && (d.expiresAt ?? 0) > now)
        .length,
    });
  });

  app.get('/conversations', (c) => {
    const byKey = new Map<
      string,
      { key: string; channel: string; runs: number; lastRunAt: number; lastState: string; lastKind: string }
    >();
    for (const r of store.runs.list({ limit: 1000 })) {
      const seen = byKey.get(r.conversationKey);
      if (seen) seen.runs++;
      else
        byKey.set(r.conversationKey, {
          key: r.conversationKey,
          channel: r.channel,
          runs: 1,
          lastRunAt: r.startedAt,
          lastState: r.state,
          lastKind: r.kind,
        });
    }
    return c.json({ conversations: [...byKey.values()] });
  });

  app.get('/runs', (c) => {
    const key = c.req.query('conversation');
    const limit = Math.min(200, Math.max(1, Number(c.req.query('limit') ?? 50) || 50));
    return c.json({
      runs: store.runs.list({ limit, ...(key ? { conversationKey: key } : {}) }).map(runSummary),
    });
  });

  app.get('/runs/:id', (c) => {
    const id = Number(c.req.param('id'));
    const run = Number.isInteger(id) ? store.runs.get(id) : undefined;
    if (!run) return c.json({ error: `no run ${c.req.param('id')}` }, 404);
    const deliveries = store.deliveries
      .listForConversation(run.conversationKey, 500)
      .filter((d) => d.runId === id);
    const prompt = store.inbound.get(run.inboundId);
    return c.json({
      run: { ...runSummary(run), progress: run.progress },
      tree: tree(id),
      toolCalls: store.toolCalls.listForRun(id),
      prompt: prompt
        ? { text: cutText(prompt.text, 4000), senderName: prompt.senderName, senderId: prompt.senderId }
        : null,
      replies: deliveries.map((d) => ({ id: d.id, state: d.state, text: d.payload.text ?? '' })),
      links: deliveries.flatMap((d) => (d.payload.links ?? []).filter((l) => safeLink(l.url))),
      artifacts: store.artifacts.listForRun(id).map((a) => ({
        id: a.id,
        kind: a.kind,
        name: a.name,
        mime: a.mime,
        caption: a.caption,
        inline: a.kind === 'image' && INLINE_IMAGE_TYPES.has(a.mime),
        url: `/dashboard/api/artifacts/${a.id}`,
      })),
    });
  });

  // The agent tree alone (DESIGN §9.3), for redrawing it while an /rlm run grows; null for other runs.
  app.get('/runs/:id/tree', (c) => {
    const id = Number(c.req.param('id'));
    const run = Number.isInteger(id) ? store.runs.get(id) : undefined;
    if (!run) return c.json({ error: `no run ${c.req.param('id')}` }, 404);
    return c.json({ tree: tree(id) });
  });

  app.get('/artifacts/:id', (c) => {
    const id = Number(c.req.param('id'));
    const a = Number.isInteger(id) ? store.artifacts.get(id) : undefined;
    if (!a) return c.json({ error: `no artifact ${c.req.param('id')}` }, 404);
    const inline = a.kind === 'image' && INLINE_IMAGE_TYPES.has(a.mime);
    const name = a.name.replace(/[^\w.-]+/g, '_') || 'artifact';
    return c.body(new Uint8Array(a.data), 200, {
      'Content-Type': inline ? a.mime : 'application/octet-stream',
      'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${name}"`,
      'Cache-Control': 'private, max-age=3600',
    });
  });

  app.get('/events', (c) => {
    const session = c.get('session');
    return streams.stream(c, { sessionHash: session.idHash, deviceId: session.device.id }, (push) => {
      const handlers = RUN_EVENTS.map((name) => {
        const handler = (payload: unknown) =>
          push({ event: name.replace(':', '-'), data: payload } satisfies StreamEvent);
        gateway.events.on(name, handler);
        return [name, handler] as const;
      });
      return () => {
        for (const [name, handler] of handlers) gateway.events.off(name, handler);
      };
    });
  });

  app.get('/sandboxes', async (c) => {
    if (!deps.sandboxes) return c.json({ available: false, sandboxes: [] });
    try {
      return c.json({ available: true, sandboxes: await deps.sandboxes.list() });
    } catch (err) {
      deps.log.warn({ err }, 'listing sandboxes failed');
      return c.json({ error: `the sandbox provider did not answer: ${(err as Error).message}` }, 502);
    }
  });

  app.post('/sandboxes/:id/delete', async (c) => {
    if (!deps.sandboxes) return c.json({ error: 'no sandbox provider in this gateway' }, 404);
    const id = c.req.param('id');
    try {
      const known = (await deps.sandboxes.list()).some((s) => s.id === id);
      if (!known) return c.json({ error: `no sandbox ${id}` }, 404);
      await deps.sandboxes.remove(id);
      return c.json({ deleted: id });
    } catch (err) {
      deps.log.warn({ err, sandbox: id }, 'deleting a sandbox failed');
      return c.json({ error: `could not delete ${id}: ${(err as Error).message}` }, 502);
    }
  });

  return app;
}
