// Wiring for coding-agent tests: the REAL local sandbox provider (bubblewrap) behind a small gateway
// HTTP server that mounts the real preview proxy, a fake Messages API, and a RunContext that records progress.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { Progress, RunContext, Task } from '../../../agents/agent.js';
import type { ModelClient } from '../../../src/model/types.js';
import { createPreviewRoutes } from '../../../src/sandbox/preview/preview-routes.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import type { LocalSandboxProvider } from '../../../src/sandbox/providers/local/local-provider.js';
import { silentLog } from '../../model/helpers.js';
import { localProvider, tempHome } from '../../sandbox/helpers.js';

export interface TestGateway {
  url: string;
  provider: LocalSandboxProvider;
  home: string;
  close(): Promise<void>;
}

/** A gateway-shaped HTTP server whose /preview/* is the real preview proxy into local sandboxes. */
export async function startTestGateway(): Promise<TestGateway> {
  const { home, cleanup } = tempHome();
  let handler: Parameters<typeof createServer>[1] = (_req, res) => res.end();
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = localProvider(home, { publicUrl: url });
  const app = new Hono().route('/preview', createPreviewRoutes({ provider, log: silentLog }));
  handler = getRequestListener(app.fetch);
  return {
    url,
    provider,
    home,
    close: async () => {
      await provider.shutdown();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cleanup();
    },
  };
}

export function task(text: string, extra: Partial<Task> = {}): Task {
  return {
    runId: 1,
    conversationKey: 'local:chat-1',
    senderId: 'local:owner',
    text,
    files: [],
    options: {},
    ...extra,
  };
}

export function runContext(
  sandbox: Sandbox | (() => Promise<Sandbox>),
  model: ModelClient | undefined,
  signal?: AbortSignal,
) {
  const progress: Progress[] = [];
  let sandboxCalls = 0;
  const ctx: RunContext = {
    sandbox: () => {
      sandboxCalls++;
      return typeof sandbox === 'function' ? sandbox() : Promise.resolve(sandbox);
    },
    spawnSandbox: () => Promise.reject(new Error('the coding agent spawns no child sandboxes')),
    ...(model ? { model } : {}),
    emit: (p) => progress.push(p),
    signal: signal ?? new AbortController().signal,
    log: silentLog,
  };
  return { ctx, progress, sandboxCalls: () => sandboxCalls };
}
