// Builds an in-process gateway over a real SQLite file in a temp home, with a recording channel
// and whatever agents a test registers.

import { join } from 'node:path';
import pino from 'pino';
import type { Agent } from '../../agents/agent.js';
import type { Channel } from '../../channels/channel.js';
import { validateConfig } from '../../src/config/load.js';
import { Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { openDatabase } from '../../src/store/db.js';
import { createStore, type Store } from '../../src/store/store.js';

export function testGateway(
  home: string,
  opts: { channels: Channel[]; agents?: Agent[]; config?: Record<string, unknown> } & Omit<
    Partial<GatewayOptions>,
    'config'
  >,
): { gateway: Gateway; store: Store } {
  const { config: input, ...rest } = opts;
  const config = validateConfig((input ?? {}) as Record<string, unknown>, home);
  const store = createStore(openDatabase(join(home, 'sandgate.db')));
  const gateway = new Gateway({
    config,
    store,
    log: pino({ level: 'silent' }),
    pollMs: 50,
    backoff: { baseMs: 20, maxMs: 200, maxAttempts: 5 },
    ...rest,
    agents: rest.agents ?? [],
  });
  return { gateway, store };
}
