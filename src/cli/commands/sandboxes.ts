// `sandgate sandboxes list|rm|gc`: through the running gateway when there is one (it knows which
// sandboxes are live and busy), otherwise straight through the configured provider.

import pino from 'pino';
import { ensureToken } from '../../http/gateway-token.js';
import { createConversationSandboxes, createSandboxProvider } from '../../sandbox/factory.js';
import { previewSecretFrom } from '../assemble-sandbox.js';
import { type CliEnv, CliError, type RegisterCommands } from '../cli-env.js';
import { gatewayClient, localBaseUrl } from '../gateway-client.js';

interface Row {
  id: string;
  provider: string;
  state: string;
  conversation?: string;
  busy?: boolean;
  lastActivityAt?: string;
  /** Who holds its slot while it runs (`conversation`, `pool`, `run`, `eval`, `mcp`). */
  owner?: string;
  ownerLabel?: string;
}

function offlineProvider(env: CliEnv) {
  const config = env.config();
  const token = ensureToken(env.paths.tokenFile, config.gatewayToken).token;
  const log = pino({ level: 'silent' });
  const provider = createSandboxProvider(config, {
    home: env.home,
    publicUrl: localBaseUrl(config),
    previewSecret: previewSecretFrom(token),
    log,
  });
  return { provider, leases: createConversationSandboxes(config, provider, log, { gcIntervalMs: 0 }) };
}

async function online(env: CliEnv) {
  const client = gatewayClient(env);
  return (await client.running()) ? client : undefined;
}

export const registerSandboxesCommands: RegisterCommands = (program, env) => {
  const cmd = program.command('sandboxes').description('list, remove and clean up sandboxes');

  cmd
    .command('list')
    .option('--json', 'machine-readable output')
    .description('every sandgate sandbox, its conversation and state')
    .action(async (opts: { json?: boolean }) => {
      const client = await online(env);
      let rows: Row[];
      if (client) rows = (await (await client.api('/sandboxes')).json()) as Row[];
      else {
        const { provider } = offlineProvider(env);
        rows = (await provider.list({ labels: { sandgate: '1' } })).map((s) => ({
          id: s.id,
          provider: s.provider,
          state: s.state,
          ...(s.labels.conversation ? { conversation: s.labels.conversation } : {}),
          ...(s.lastActivityAt ? { lastActivityAt: s.lastActivityAt.toISOString() } : {}),
        }));
      }
      if (opts.json) return env.json(rows);
      if (!rows.length)
        return env.out(
          'No sandboxes. One is created the first time a conversation runs /sh, /py or an agent.',
        );
      for (const r of rows) {
        env.out(
          `${r.id.padEnd(16)} ${r.provider.padEnd(8)} ${(r.busy ? 'busy' : r.state).padEnd(8)} ${r.conversation ?? r.ownerLabel ?? ''}`,
        );
      }
    });

  cmd
    .command('rm')
    .argument('<id>')
    .description('delete a sandbox and its workspace')
    .action(async (id: string) => {
      const client = await online(env);
      if (client) {
        const res = await client.api(`/sandboxes/${encodeURIComponent(id)}`, { method: 'DELETE' });
        if (res.status === 404) throw new CliError(`no sandbox ${id}`);
        if (!res.ok) throw new CliError(`the gateway could not delete ${id}: ${await res.text()}`);
      } else {
        const box = await offlineProvider(env).provider.get(id);
        if (!box) throw new CliError(`no sandbox ${id}`);
        await box.delete();
      }
      env.out(`deleted ${id}`);
    });

  cmd
    .command('gc')
    .description('stop idle sandboxes and delete long-idle ones')
    .action(async () => {
      const client = await online(env);
      const result = client
        ? ((await (await client.api('/sandboxes/gc', { method: 'POST' })).json()) as {
            stopped: string[];
            deleted: string[];
          })
        : await offlineProvider(env).leases.gc();
      env.out(`stopped ${result.stopped.length}, deleted ${result.deleted.length}`);
    });
};
