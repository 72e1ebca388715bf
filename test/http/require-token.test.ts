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

  it('slows down an address after repeated wrong tokens', async () => {
    let last = 0;
    for (let i = 0; i < 25; i++) last = (await get(`guess-${i}`)).status;
    expect(last).toBe(429);
    const limited = await get('the-right-token-0123456789');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
