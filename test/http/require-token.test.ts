import { describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/http/server.js';

describe('the /api token guard', () => {
  const app = createHttpApp({
    token: () => 'the-right-token-0123456789',
    metrics: () => '',
    ready: () => ({ ready: true }),
    mount: (_root, api) => api.get('/ping', (c) => c.json({ pong: true })),
  });
  const get = (token?: string) =>
    app.request('/api/ping', token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('lets the right token through and refuses a missing or wrong one with a reason', async () => {
    expect((await get('the-right-token-0123456789')).status).toBe(200);
    const missing = await get();
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toMatch(/missing gateway token/);
    expect((await get('guess')).status).toBe(401);
  });

  it('slows down an address after repeated wrong tokens, but never refuses the right one', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 25; i++) last = await get(`guess-${i}`);
    expect(last?.status).toBe(429);
    expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await get('the-right-token-0123456789')).status).toBe(200);
  });

  it('does not count requests without a token: a token-less flood leaves the token working', async () => {
    const fresh = createHttpApp({
      token: () => 'the-right-token-0123456789',
      metrics: () => '',
      ready: () => ({ ready: true }),
      mount: (_root, api) => api.get('/ping', (c) => c.json({ pong: true })),
    });
    const statuses = new Set<number>();
    for (let i = 0; i < 100; i++) statuses.add((await fresh.request('/api/ping')).status);
    expect([...statuses]).toEqual([401]);
    const ok = await fresh.request('/api/ping', {
      headers: { authorization: 'Bearer the-right-token-0123456789' },
    });
    expect(ok.status).toBe(200);
    // And a wrong token after the flood is refused as wrong (401), not as a lock-out (429).
    const wrong = await fresh.request('/api/ping', { headers: { authorization: 'Bearer guess' } });
    expect(wrong.status).toBe(401);
  });
});
