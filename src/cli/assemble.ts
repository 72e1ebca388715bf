// Builds a running gateway from configuration. The only place that names concrete channels,
// agents and sandbox providers: everything else meets them through their ports.

import type { Server } from 'node:http';
import { join } from 'node:path';
import type { ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { createAnalysisAgent } from '../../agents/analysis/index.js';
import { createCodingAgent, SqliteThreadStore } from '../../agents/coding/index.js';
import { createGenAgent } from '../../agents/gen/index.js';
import { createRlmAgent } from '../../agents/rlm/index.js';
import type { CommandMenuEntry } from '../../channels/channel-deps.js';
import { localApiRoutes } from '../../channels/local/local-api.js';
import { LocalChannel } from '../../channels/local/local-channel.js';
import { buildChannels } from '../../channels/registry.js';
import { createDevices } from '../../pairing/devices/index.js';
import { createPairing } from '../../pairing/index.js';
import { publicUrl } from '../config/load.js';
import { statePaths } from '../config/paths.js';
import { ownerOnlyUmask, tightenState } from '../config/private-state.js';
import type { Config } from '../config/schema.js';
import { CommandRegistry } from '../gateway/commands.js';
import { Gateway } from '../gateway/gateway.js';
import { acquireInstanceLock } from '../gateway/instance-lock.js';
import { channelLoginRoutes } from '../http/api/channel-login.js';
import { messageStatusRoutes } from '../http/api/message-status.js';
import { statusRoutes } from '../http/api/status.js';
import { createDashboardRoutes } from '../http/dashboard/index.js';
import { ensureToken } from '../http/gateway-token.js';
import { closeServer, createHttpApp, listen } from '../http/server.js';
import { createModelClient, UsageRepository } from '../model/index.js';
import { PUBLIC_PROXY_PATH } from '../model/proxy/sandbox-endpoint.js';
import { openDatabase } from '../store/db.js';
import { IdleCheckpointer } from '../store/idle-checkpointer.js';
import { RunTreesRepo } from '../store/repos/run-trees-repo.js';
import { createStore } from '../store/store.js';
import { assembleClaude, claudeToolBinds } from './assemble-claude.js';
import { assembleOutsideAccess } from './assemble-outside.js';
import { assembleSandboxes } from './assemble-sandbox.js';

export interface RunningGateway {
  gateway: Gateway;
  port: number;
  url: string;
  stop(timeoutMs?: number): Promise<void>;
}

export async function startGateway(config: Config, log: Logger): Promise<RunningGateway> {
  const paths = statePaths(config.home);
  // Owner-only from here on (the database, its -wal/-shm, the token, uploads), and what an older
  // install left readable is tightened once we hold the lock.
  ownerOnlyUmask();
  const lock = acquireInstanceLock(paths.lockFile);
  const tightened = tightenState(config.home);
  if (tightened.length) log.info({ paths: tightened }, 'state files made owner-only');
  let server: ServerType | undefined;
  try {
    const store = createStore(openDatabase(paths.database));
    const checkpointer = new IdleCheckpointer(store.db, {
      lastWriteAt: () => store.batch.lastFlushAt,
      onError: (err) => log.warn({ err }, 'WAL checkpoint failed'),
    });
    const { token, created } = ensureToken(paths.tokenFile, config.gatewayToken);
    if (created)
      log.info({ file: paths.tokenFile }, 'generated a gateway token (show it with `sandgate token show`)');
    // Listen first (answering 503 until ready), so links can name the real port even when it was 0.
    const http: { app?: Hono } = {};
    const listening = await listen(
      {
        fetch: (req, env) =>
          http.app ? http.app.fetch(req, env) : new Response('starting', { status: 503 }),
      },
      config.port,
      config.bind,
    );
    server = listening.server;
    const url = publicUrl(config, listening.port);

    // Filled once the gateway has registered every command; channels publish it when they start.
    const commandMenu: CommandMenuEntry[] = [];
    const channels = await buildChannels(config, (id) => ({
      kv: store.kv.scoped(id),
      log: log.child({ channel: id }),
      commands: commandMenu,
      stateDir: join(config.home, 'channels', id),
    }));
    // The owner's channel also serves /api/local and the dashboard's chat.
    const local = channels.find((c) => c instanceof LocalChannel);
    if (!local) throw new Error('channels/registry.ts builds no local channel');

    const pairing = createPairing({ store, config, log: log.child({ part: 'pairing' }) });
    const commands = new CommandRegistry();
    for (const command of pairing.commands) commands.register(command);
    const sandboxes = assembleSandboxes(config, {
      token,
      publicUrl: url,
      log,
      commands,
      toolBinds: claudeToolBinds(config),
    });
    const outside = assembleOutsideAccess(config, { sandboxes, token: () => token, db: store.db, log });

    const model = createModelClient(config, {
      usage: new UsageRepository(store.db),
      log: log.child({ part: 'model' }),
    });
    if (!model)
      log.warn(
        'no Anthropic key: agents will answer with how to add one (sandgate config set anthropic.apiKey …)',
      );
    const threads = new SqliteThreadStore(store.db);
    const coding = createCodingAgent({ threads, config, log: log.child({ agent: 'coding' }) });
    const analysis = createAnalysisAgent({ config, threads, log: log.child({ agent: 'analysis' }) });
    const runTrees = new RunTreesRepo(store.db);
    const rlm = createRlmAgent({
      config,
      trees: runTrees,
      log: log.child({ agent: 'rlm' }),
    });
    const gen = createGenAgent({ config, threads, log: log.child({ agent: 'gen' }) });
    const claude = assembleClaude(config, {
      db: store.db,
      sessions: store.kv.scoped('claude-session'),
      publicUrl: url,
      log,
    });
    const agents = [coding, analysis, rlm, gen, claude.agent];

    const gateway = new Gateway({
      config,
      store,
      log,
      channels,
      commands,
      agents,
      access: pairing.access,
      sandboxes: sandboxes.leases,
      ...(model ? { model } : {}),
      resetConversation: async (key) => {
        await Promise.all(agents.map((a) => a.reset?.(key)));
      },
    });
    commandMenu.push(
      ...gateway.commands.list().map((c) => ({ command: c.name, description: c.summary.slice(0, 256) })),
    );
    const sweep = setInterval(() => {
      try {
        pairing.sweep();
      } catch (err) {
        log.error({ err }, 'pairing sweep failed');
      }
    }, 60_000);
    sweep.unref();

    // Ends the dashboard's open event streams at shutdown, so they do not hold the server open.
    const dashboardStop = new AbortController();
    http.app = createHttpApp({
      token: () => token,
      metrics: () => gateway.metrics.registry.render(),
      ready: () => ({ ready: true, detail: { channels: gateway.channelStatuses() } }),
      channelRoutes: channels.flatMap((c) => c.routes?.() ?? []),
      mount: (root, api) => {
        sandboxes.mount(root);
        root.route(
          '/dashboard',
          createDashboardRoutes({
            signal: dashboardStop.signal,
            devices: createDevices({ db: store.db }),
            token: () => token,
            publicUrl: url,
            store,
            runTrees,
            pairing,
            gateway,
            local,
            sandboxes: {
              list: () => sandboxes.admin.list(),
              remove: async (id) => {
                await sandboxes.admin.remove(id);
              },
            },
            log: log.child({ part: 'dashboard' }),
          }),
        );
        if (claude.proxyRoutes) root.route(PUBLIC_PROXY_PATH, claude.proxyRoutes);
        root.get('/', (c) => c.redirect('/dashboard/'));
        api.route('/local', localApiRoutes(local));
        api.route('/local', messageStatusRoutes(store));
        sandboxes.mountApi(api);
        outside.mount(root, api);
        api.route('/status', statusRoutes(gateway));
        api.route('/channels', channelLoginRoutes(gateway.channels));
      },
    });
    sandboxes.attach(server as Server);
    await gateway.start();
    log.info({ url, bind: config.bind, port: listening.port, home: config.home }, 'sandgate gateway is up');

    return {
      gateway,
      port: listening.port,
      url,
      stop: async (timeoutMs = 10_000) => {
        const deadline = Date.now() + timeoutMs;
        clearInterval(sweep);
        await gateway.stop(timeoutMs * 0.7);
        await outside.shutdown().catch((err) => log.warn({ err }, 'MCP/eval sandbox shutdown incomplete'));
        await sandboxes.shutdown().catch((err) => log.warn({ err }, 'sandbox shutdown incomplete'));
        dashboardStop.abort();
        if (server) await closeServer(server, Math.max(200, deadline - Date.now() - 200));
        checkpointer.stop();
        store.db.close();
        lock.release();
      },
    };
  } catch (err) {
    if (server) await closeServer(server, 500);
    lock.release();
    throw err;
  }
}
