// A `sandgate` with only pairing's command groups, run as a child process by cli.test.ts. It maps errors to
// exit codes the way src/cli/main.ts does (0 ok, 1 failure, 2 usage), so the tests see what a user sees.

import { Command, CommanderError } from 'commander';
import { CliError, createCliEnv } from '../../src/cli/cli-env.js';
import { registerAllowCommands } from '../../src/cli/commands/allow.js';
import { registerAuditCommand } from '../../src/cli/commands/audit.js';
import { registerPairingCommands } from '../../src/cli/commands/pairing.js';

async function main(argv: string[]): Promise<number> {
  const env = createCliEnv();
  const program = new Command().name('sandgate').exitOverride();
  for (const register of [registerPairingCommands, registerAllowCommands, registerAuditCommand])
    register(program, env);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      process.stderr.write(`sandgate: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`sandgate: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    env.close();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
