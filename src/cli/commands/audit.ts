// `sandgate audit`: who approved, denied, allowed or removed whom, and when (cli, an owner's chat, the dashboard).

import { InvalidArgumentError } from 'commander';
import { safeText } from '../../../pairing/display.js';
import { table } from '../../../pairing/table.js';
import type { RegisterCommands } from '../cli-env.js';
import { pairingFromEnv, withPairingErrors } from './pairing.js';

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new InvalidArgumentError('must be a whole number from 1 to 10000');
  return n;
}

export const registerAuditCommand: RegisterCommands = (program, env) => {
  program
    .command('audit')
    .description('show the audit log of approvals, denials and allowlist changes')
    .argument('[channel]', 'only this channel')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'how many of the latest entries', parseLimit, 50)
    .action((channel: string | undefined, opts: { json?: boolean; limit: number }) =>
      withPairingErrors(() => {
        const entries = pairingFromEnv(env).audit.list({ limit: opts.limit, channel });
        if (opts.json) {
          env.json(entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })));
          return;
        }
        if (entries.length === 0) {
          env.out('The audit log is empty.');
          return;
        }
        const rows = entries.map((e) => [
          new Date(e.at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          e.action,
          e.channel,
          safeText(e.subject, 48),
          safeText(e.actor, 48),
        ]);
        for (const line of table(['WHEN', 'ACTION', 'CHANNEL', 'SUBJECT', 'BY'], rows)) env.out(line);
      }),
    );
};
