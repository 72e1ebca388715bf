// The sandbox part of the running gateway: the provider chosen by config, one leased sandbox per
// conversation, the sandbox chat commands (/sh /py /preview /files /get) and the preview proxy.

import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { CommandRegistry } from '../gateway/commands.js';
import type { ConversationSandboxes } from '../sandbox/conversation-sandboxes.js';
import {
  createConversationSandboxes,
  createSandboxCommandsFromConfig,
  createSandboxProvider,
} from '../sandbox/factory.js';
import { attachPreviewUpgrade, createPreviewRoutes } from '../sandbox/preview/preview-routes.js';
import { LocalSandboxProvider } from '../sandbox/providers/local/local-provider.js';

/** The preview HMAC key: derived from the gateway token, so rotating the token revokes every link. */
export function previewSecretFrom(token: string): string {
  return createHash('sha256').update(`sandgate-preview:${token}`).digest('base64url');
}

export interface SandboxLayer {
  leases: ConversationSandboxes;
  provider: ReturnType<typeof createSandboxProvider>;
  mount(root: Hono): void;
  /** /api/sandboxes: list, delete, gc — what `sandgate sandboxes` uses while the gateway runs. */
  mountApi(api: Hono): void;
  attach(server: Server): void;
  shutdown(): Promise<void>;
}

export function assembleSandboxes(
  config: Config,
  deps: { token: string; publicUrl: string; log: Logger; commands: CommandRegistry },
): SandboxLayer {
  const log = deps.log;
  const provider = createSandboxProvider(config, {
    home: config.home,
    publicUrl: deps.publicUrl,
    previewSecret: previewSecretFrom(deps.token),
    log,
  });
  const leases = createConversationSandboxes(config, provider, log);
  for (const command of Object.values(createSandboxCommandsFromConfig(config)))
    deps.commands.register(command);
  let detach: (() => void) | undefined;
  void leases.gc().catch((err) => log.warn({ err }, 'sandbox clean-up at start failed'));
  return {
    leases,
    provider,
    // Daytona serves its own signed preview URLs; only local sandboxes go through our proxy.
    mount: (root) => {
      if (!(provider instanceof LocalSandboxProvider)) return;
      root.route(
        '/preview',
        createPreviewRoutes({ provider, log, allowSameOrigin: config.sandbox.previewSameOrigin }),
      );
    },
    mountApi: (api) => {
      api.get('/sandboxes', async (c) => {
        const leased = new Map(leases.list().map((l) => [l.sandboxId, l]));
        const all = await provider.list({ labels: { sandgate: '1' } });
        return c.json(
          all.map((s) => ({
            ...s,
            conversation: leased.get(s.id)?.conversationKey ?? s.labels.conversation,
            busy: leased.get(s.id)?.busy ?? false,
          })),
        );
      });
      api.delete('/sandboxes/:id', async (c) => {
        const box = await provider.get(c.req.param('id'));
        if (!box) return c.json({ error: 'no such sandbox' }, 404);
        await box.delete();
        return c.json({ deleted: box.id });
      });
      api.post('/sandboxes/gc', async (c) => c.json(await leases.gc()));
    },
    attach: (server) => {
      if (provider instanceof LocalSandboxProvider)
        detach = attachPreviewUpgrade(server, { provider, log, basePath: '/preview' });
    },
    shutdown: async () => {
      detach?.();
      await leases.shutdown();
      if ('shutdown' in provider && typeof provider.shutdown === 'function') await provider.shutdown();
    },
  };
}
