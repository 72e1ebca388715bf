// GET /api/status (behind the gateway token): the channels' states and how busy the lanes are, for
// `sandgate` commands and scripts. Read-only; answers from memory, so it works while runs are busy.

import { Hono } from 'hono';
import type { ChannelStatus } from '../../../channels/channel.js';

export interface StatusSource {
  channelStatuses(): { id: string; status: ChannelStatus }[];
  lanes: { readonly depth: number; readonly inFlight: number };
}

/** Mount under the token-guarded API: `api.route('/status', statusRoutes(gateway))`. */
export function statusRoutes(gateway: StatusSource): Hono {
  return new Hono().get('/', (c) =>
    c.json({
      channels: gateway.channelStatuses(),
      queueDepth: gateway.lanes.depth,
      activeRuns: gateway.lanes.inFlight,
    }),
  );
}
