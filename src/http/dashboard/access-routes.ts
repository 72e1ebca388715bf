// Who may reach the bot and the dashboard: pairing requests (approve/deny — the sender is told and their
// kept message answered by the running gateway), allowlists, devices, and the audit log. Every change is
// made as actor `dashboard` and audited by pairing/.

import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { DeviceError, type Devices } from '../../../pairing/devices/index.js';
import { PairingError } from '../../../pairing/index.js';
import type { DashboardPairing } from './deps.js';
import type { EventStreams } from './event-streams.js';
import type { DashboardEnv } from './session.js';
import { deviceView } from './views.js';

const allowBody = z
  .object({ entry: z.string().min(1).max(300), name: z.string().max(100).optional() })
  .strict();

function pairingStatus(err: PairingError): 400 | 404 | 409 | 410 {
  if (err.usage) return 400;
  if (err.kind === 'expired') return 410;
  if (err.kind === 'already-approved' || err.kind === 'already-denied') return 409;
  return 404;
}

function refusal(c: Context, err: unknown): Response {
  if (err instanceof PairingError) return c.json({ error: err.message, kind: err.kind }, pairingStatus(err));
  if (err instanceof DeviceError) return c.json({ error: err.message, kind: err.kind }, err.status);
  throw err;
}

async function body<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T> | Response> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    return c.json({ error: 'the body must be JSON' }, 400);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return c.json(
      { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') },
      400,
    );
  return parsed.data;
}

export function accessRoutes(deps: {
  pairing: DashboardPairing;
  devices: Devices;
  streams: EventStreams;
}): Hono<DashboardEnv> {
  const { pairing, devices, streams } = deps;
  const app = new Hono<DashboardEnv>();

  app.get('/pairing', (c) =>
    c.json({
      requests: pairing.list().map((r) => ({
        channel: r.channel,
        code: r.code,
        senderId: r.senderId,
        senderName: r.senderName,
        createdAt: r.createdAt,
        expiresAt: r.expiresAt,
        firstMessage: r.firstMessage,
      })),
    }),
  );

  app.post('/pairing/:channel/:code/approve', (c) => {
    try {
      const r = pairing.approve(c.req.param('channel'), c.req.param('code'), 'dashboard');
      return c.json({
        approved: r.request.senderId,
        notified: r.notified,
        replayed: r.replayed,
        becameOwner: r.becameOwner,
      });
    } catch (err) {
      return refusal(c, err);
    }
  });

  app.post('/pairing/:channel/:code/deny', (c) => {
    try {
      const r = pairing.deny(c.req.param('channel'), c.req.param('code'), 'dashboard');
      return c.json({ denied: r.request.senderId });
    } catch (err) {
      return refusal(c, err);
    }
  });

  app.get('/allow', (c) =>
    c.json({
      entries: pairing.allow.list(),
      owners: pairing.owners.list(),
    }),
  );

  app.post('/allow/:channel/add', async (c) => {
    const b = await body(c, allowBody);
    if (b instanceof Response) return b;
    try {
      const r = pairing.allow.add(
        c.req.param('channel'),
        b.entry,
        'dashboard',
        b.name ? { name: b.name } : {},
      );
      return c.json({ entry: r.entry, added: r.added }, r.added ? 201 : 200);
    } catch (err) {
      return refusal(c, err);
    }
  });

  app.post('/allow/:channel/remove', async (c) => {
    const b = await body(c, allowBody);
    if (b instanceof Response) return b;
    try {
      pairing.allow.remove(c.req.param('channel'), b.entry, 'dashboard');
      return c.json({ removed: b.entry });
    } catch (err) {
      return refusal(c, err);
    }
  });

  app.get('/devices', (c) => {
    const me = c.get('session').device.id;
    return c.json({ devices: devices.list().map((d) => deviceView(d, me)) });
  });

  app.post('/devices/:id/approve', (c) => {
    try {
      const d = devices.approve(c.req.param('id'), {
        kind: 'dashboard',
        deviceId: c.get('session').device.id,
      });
      return c.json({ device: deviceView(d) });
    } catch (err) {
      return refusal(c, err);
    }
  });

  app.post('/devices/:id/revoke', (c) => {
    try {
      const r = devices.revoke(c.req.param('id'), {
        kind: 'dashboard',
        deviceId: c.get('session').device.id,
      });
      streams.closeDevice(r.device.id);
      return c.json({ device: deviceView(r.device), sessionsClosed: r.sessionsClosed });
    } catch (err) {
      return refusal(c, err);
    }
  });

  app.get('/audit', (c) => {
    const limit = Math.min(500, Math.max(1, Number(c.req.query('limit') ?? 200) || 200));
    return c.json({ entries: pairing.audit.list({ limit }).reverse() });
  });

  return app;
}
