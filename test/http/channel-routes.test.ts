// Channel routes on the gateway's one server: a webhook gets the request exactly as sent (a
// signature is computed over the raw body), outside the token-guarded /api; a route under /api or
// a path two channels claim stops the start-up instead of shadowing another channel's webhook.

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChannelRoute } from '../../channels/channel.js';
import { createHttpApp } from '../../src/http/server.js';

const base = { token: () => 'secret-token', metrics: () => '', ready: () => ({ ready: true }) };

function signedEcho(): ChannelRoute {
  return {
    method: 'POST',
    path: '/hooks/echo',
    handler: async (req) => {
      const raw = await req.text();
      const signature = createHmac('sha256', 'k').update(raw).digest('hex');
      return Response.json({ raw, ok: req.headers.get('x-signature') === signature });
    },
  };
}

describe('channel routes', () => {
  it('reach the handler without the gateway token, with the body byte for byte', async () => {
    const app = createHttpApp({ ...base, channelRoutes: [signedEcho()] });
    const body = '{"b": 1,  "a":"ü"}\n';
    const res = await app.request('/hooks/echo', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-signature': createHmac('sha256', 'k').update(body).digest('hex'),
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ raw: body, ok: true });
    expect((await app.request('/hooks/echo')).status).toBe(404);
  });

  it('refuse a path under /api and a path claimed twice', () => {
    expect(() => createHttpApp({ ...base, channelRoutes: [{ ...signedEcho(), path: '/api/hook' }] })).toThrow(
      /outside \/api/,
    );
    expect(() => createHttpApp({ ...base, channelRoutes: [signedEcho(), signedEcho()] })).toThrow(
      /two channels claim POST \/hooks\/echo/,
    );
  });
});
