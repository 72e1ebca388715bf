#!/usr/bin/env node

// `sandgate …`: the command-line entry. Each command group lives in its own file under commands/.
// Exit codes: 0 ok, 1 failure, 2 usage.

import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { ownerOnlyUmask } from '../config/private-state.js';
import { LockError } from '../gateway/instance-lock.js';
import { StoreError } from '../store/store-error.js';
import { CliError, createCliEnv, type RegisterCommands } from './cli-env.js';
import { registerAllowCommands } from './commands/allow.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerChannelsCommands } from './commands/channels.js';
import { registerChatCommand } from './commands/chat.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDashboardCommand } from './commands/dashboard.js';
import { registerDeployCommand } from './commands/deploy.js';
import { registerDevicesCommands } from './commands/devices.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerGatewayCommand } from './commands/gateway.js';
import { registerPairingCommands } from './commands/pairing.js';
import { registerRunsCommands } from './commands/runs.js';
import { registerSandboxesCommands } from './commands/sandboxes.js';
import { registerSlackCommands } from './commands/slack.js';
import { registerTokenCommands } from './commands/token.js';

const groups: RegisterCommands[] = [
  registerGatewayCommand,
  registerDoctorCommand,
  registerConfigCommands,
  registerTokenCommands,
  registerRunsCommands,
  registerSandboxesCommands,
  registerPairingCommands,
  registerAllowCommands,
  registerAuditCommand,
  registerDevicesCommands,
  registerDashboardCommand,
  registerChannelsCommands,
  registerSlackCommands,
  registerChatCommand,
  registerDeployCommand,
];

export async function main(argv: string[]): Promise<number> {
  // State files (config, database, token) are owner-only whatever umask the shell has.
  ownerOnlyUmask();
  const env = createCliEnv();
  const program = new Command()
    .name('sandgate')
    .description('A chat-ops gateway: chats in front of coding and data-analysis agents in sandboxes.')
    .showHelpAfterError('(run `sandgate --help` for usage)')
    .exitOverride();
  for (const register of groups) register(program, env);
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
