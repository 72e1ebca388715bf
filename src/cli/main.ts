#!/usr/bin/env node

// `sandgate …`: the command-line entry. Each command group lives in its own file under commands/.
// Exit codes: 0 ok, 1 failure, 2 usage.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { ownerOnlyUmask } from '../config/private-state.js';
import { LockError } from '../gateway/instance-lock.js';
import { packageRoot } from '../package-root.js';
import { StoreError } from '../store/store-error.js';
import { CliError, createCliEnv, type RegisterCommands } from './cli-env.js';

type Loader = () => Promise<RegisterCommands>;

/**
 * Each command group by its top-level name, loaded only when used: `sandgate pairing list` must not
 * pay for the gateway's module graph (the Daytona and Anthropic SDKs, the dashboard). `--help`
 * without a command loads them all to list them.
 */
const groups: Record<string, Loader> = {
  gateway: async () => (await import('./commands/gateway.js')).registerGatewayCommand,
  doctor: async () => (await import('./commands/doctor.js')).registerDoctorCommand,
  config: async () => (await import('./commands/config.js')).registerConfigCommands,
  token: async () => (await import('./commands/token.js')).registerTokenCommands,
  runs: async () => (await import('./commands/runs.js')).registerRunsCommands,
  sandboxes: async () => (await import('./commands/sandboxes.js')).registerSandboxesCommands,
  eval: async () => (await import('./commands/eval.js')).registerEvalCommand,
  pairing: async () => (await import('./commands/pairing.js')).registerPairingCommands,
  allow: async () => (await import('./commands/allow.js')).registerAllowCommands,
  audit: async () => (await import('./commands/audit.js')).registerAuditCommand,
  devices: async () => (await import('./commands/devices.js')).registerDevicesCommands,
  dashboard: async () => (await import('./commands/dashboard.js')).registerDashboardCommand,
  channels: async () => (await import('./commands/channels.js')).registerChannelsCommands,
  slack: async () => (await import('./commands/slack.js')).registerSlackCommands,
  chat: async () => (await import('./commands/chat.js')).registerChatCommand,
  deploy: async () => (await import('./commands/deploy.js')).registerDeployCommand,
  setup: async () => (await import('./commands/setup.js')).registerSetupCommands,
};

/** The groups an argv needs: the one it names, none for `--version`, else all (help, or a typo to report). */
function groupsFor(argv: string[]): Loader[] {
  const first = argv.find((a) => !a.startsWith('-'));
  const named = first !== undefined ? groups[first] : undefined;
  if (named) return [named];
  if (first === undefined && argv.some((a) => a === '-V' || a === '--version')) return [];
  return Object.values(groups);
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}

export async function main(argv: string[]): Promise<number> {
  // State files (config, database, token) are owner-only whatever umask the shell has.
  ownerOnlyUmask();
  const env = createCliEnv();
  const program = new Command()
    .name('sandgate')
    .description('A chat-ops gateway: chats in front of coding and data-analysis agents in sandboxes.')
    .showHelpAfterError('(run `sandgate --help` for usage)')
    .version(packageVersion(), '-V, --version')
    .exitOverride();
  for (const load of groupsFor(argv)) (await load())(program, env);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
        return 0;
      return 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`sandgate: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ConfigError || err instanceof StoreError || err instanceof LockError) {
      process.stderr.write(`sandgate: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`sandgate: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    env.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`sandgate: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
