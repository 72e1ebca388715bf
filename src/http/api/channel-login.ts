// POST /api/channels/:id/login (behind the gateway token): starts linking a channel that runs as a
// linked device (WhatsApp), so `sandgate channels login` can show the QR of the socket the running
// gateway owns instead of opening a second one. Answers the channel's status, flat; 404 for a channel
// that is not running, 400 for one without a login or a malformed phone number.

import { Hono } from 'hono';
import { z } from 'zod';
import type { Channel } from '../../../channels/channel.js';

const body = z.object({
  /** International format, country code first; spaces, dashes, brackets and a leading + are ignored. */
  phone: z
    .string()
    .transform((s) => s.replace(/[\s()+-]/g, ''))
    .pipe(z.string().regex(/^\d{7,15}$/, 'phone must be 7-15 digits, country code first'))
    .optional(),
});

/** Mount under the token-guarded API: `api.route('/channels', channelLoginRoutes(gateway.channels))`. */
export function channelLoginRoutes(channels: ReadonlyMap<string, Channel>): Hono {
  return new Hono().post('/:id/login', async (c) => {
    const id = c.req.param('id');
    const channel = channels.get(id);
    if (!channel) return c.json({ error: `channel ${id} is not running in this gateway` }, 404);
    if (!channel.login) return c.json({ error: `channel ${id} has no device login` }, 400);
    const raw = await c.req.json().catch(() => ({}));
    const parsed = body.safeParse(raw ?? {});
    if (!parsed.success) {
      return c.json({ error: parsed.error.issues.map((i) => i.message).join('; ') }, 400);
    }
    const status = channel.login(parsed.data.phone ? { phone: parsed.data.phone } : {});
    return c.json({ id, ...status });
  });
}
