// The sandbox part of the running gateway: the provider chosen by config, the shared capacity and
// conversation leases, the sandbox chat commands (/sh /py /preview /files /get), the preview proxy
// (for providers that have one) and /api/sandboxes. Composes only; handlers live in src/http/api.

import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { CommandRegistry } from '../gateway/commands.js';
import { type SandboxAdmin, sandboxesRoutes } from '../http/api/sandboxes.js';
import type { SandboxCapacity } from '../sandbox/capacity.js';
import type { ConversationSandboxes } from '../sandbox/conversation-sandboxes.js';
import {
  createConversationSandboxes,
  createSandboxCommandsFromConfig,
  createSandboxProvider,
} from '../sandbox/factory.js';
import { attachPreviewUpgrade, createPreviewRoutes } from '../sandbox/preview/preview-routes.js';
import type { SandboxProvider } from '../sandbox/provider.js';

/** The preview HMAC key: derived from the gateway token, so rotating the token revokes every link. */
export function previewSecretFrom(token: string): string {
  return createHash('sha256').update(`sandgate-preview:${token}`).digest('base64url');
}

export interface SandboxLayer {
  leases: ConversationSandboxes;
  provider: SandboxProvider;
  /** The shared live cap: conversation leases, the warm pool and run children use it; eval and MCP will. */
  capacity: SandboxCapacity;
  /** Listing and removal by id, whoever holds the sandbox (/api/sandboxes, the dashboard). */
  admin: SandboxAdmin;
  mount(root: Hono): void;
  /** /api/sandboxes: list, delete, gc — what `sandgate sandboxes` uses while the gateway runs. */
  mountApi(api: Hono): void;
  attach(server: Server): void;
  shutdown(): Promise<void>;
}

export function assembleSandboxes(
  config: Config,
  deps: {
    token: string;
    publicUrl: string;
    log: Logger;
    commands: CommandRegistry;
    /** Host paths mounted read-only into local sandboxes (the Claude Code binary). */
    toolBinds?: () => { source: string; target: string }[];
  },
): SandboxLayer {
  const log = deps.log;
  const provider: SandboxProvider = createSandboxProvider(config, {
    home: config.home,
    publicUrl: deps.publicUrl,
    previewSecret: previewSecretFrom(deps.token),
    log,
    ownsHome: true,
    ...(deps.toolBinds ? { toolBinds: deps.toolBinds } : {}),
  });
  void provider.init?.().catch((err) => log.warn({ err }, 'sandbox provider set-up failed'));
  const leases = createConversationSandboxes(config, provider, log);
  for (const command of Object.values(createSandboxCommandsFromConfig(config)))
    deps.commands.register(command);
  const admin: SandboxAdmin = {
    list: () => provider.list({ labels: { sandgate: '1' } }),
    leases: () => leases.list(),
    slots: () => leases.capacity.list(),
    remove: (id) => leases.remove(id),
    gc: () => leases.gc(),
  };
  let detach: (() => void) | undefined;
  void leases.gc().catch((err) => log.warn({ err }, 'sandbox clean-up at start failed'));
  return {
    leases,
    provider,
    capacity: leases.capacity,
    admin,
    // A provider with its own preview links (Daytona) has no connectPort: nothing to proxy.
    mount: (root) => {
      if (!provider.connectPort) return;
      root.route(
        '/preview',
        createPreviewRoutes({ provider, log, allowSameOrigin: config.sandbox.previewSameOrigin }),
      );
    },
    mountApi: (api) => {
      api.route('/sandboxes', sandboxesRoutes(admin));
    },
    attach: (server) => {
      if (provider.connectPort)
        detach = attachPreviewUpgrade(server, { provider, log, basePath: '/preview' });
    },
    shutdown: async () => {
      detach?.();
      await leases.shutdown();
      await provider.shutdown?.();
    },
  };
}
