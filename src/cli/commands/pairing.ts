// `sandgate pairing list|approve|deny`: decide DM pairing requests from the terminal. Works with or without
// a running gateway: both open the same SQLite file, and the gateway acts on the approval within seconds.

import pino from 'pino';
import { describeSender, formatRemaining, safeText } from '../../../pairing/display.js';
import { createPairing, type Pairing, PairingError } from '../../../pairing/index.js';
import { table } from '../../../pairing/table.js';
import { type CliEnv, CliError, type RegisterCommands } from '../cli-env.js';

/** Pairing over the CLI's store. The config is read only when a policy is needed (never for approvals). */
export function pairingFromEnv(env: CliEnv): Pairing {
  return createPairing({
    store: env.store(),
    config: {
      get channels() {
        return env.config().channels;
      },
    },
    log: pino({ level: 'silent' }),
  });
}

/** Runs a command body, turning pairing's refusals into CLI errors (usage → exit 2, the rest → exit 1). */
export async function withPairingErrors(fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof PairingError) throw new CliError(err.message, err.usage ? 2 : 1);
    throw err;
  }
}

function preview(text: string | null): string {
  if (text === null) return '';
  return JSON.stringify(safeText(text.replace(/\s+/g, ' ').trim(), 40));
}

export const registerPairingCommands: RegisterCommands = (program, env) => {
  const group = program
    .command('pairing')
    .description('approve or deny people who messaged the bot (DM pairing codes)');

  group
    .command('list')
    .description('show pairing requests waiting for approval')
    .argument('[channel]', 'only this channel (telegram, whatsapp, slack)')
    .option('--json', 'print JSON')
    .action((channel: string | undefined, opts: { json?: boolean }) =>
      withPairingErrors(() => {
        const pending = pairingFromEnv(env).list(channel);
        if (opts.json) {
          env.json(
            pending.map((r) => ({
              channel: r.channel,
              code: r.code,
              senderId: r.senderId,
              senderName: r.senderName,
              createdAt: new Date(r.createdAt).toISOString(),
              expiresAt: new Date(r.expiresAt).toISOString(),
              firstMessage: r.firstMessage,
            })),
          );
          return;
        }
        if (pending.length === 0) {
          env.out(`No pending pairing requests${channel ? ` on ${channel.toLowerCase()}` : ''}.`);
          return;
        }
        const now = Date.now();
        const rows = pending.map((r) => [
          r.channel,
          r.code ?? '',
          describeSender(r.senderId, r.senderName),
          formatRemaining(r.expiresAt - now),
          preview(r.firstMessage),
        ]);
        for (const line of table(['CHANNEL', 'CODE', 'SENDER', 'EXPIRES IN', 'FIRST MESSAGE'], rows))
          env.out(line);
        const first = pending[0];
        if (first) {
          env.out('');
          env.out(`Approve with: sandgate pairing approve ${first.channel} ${first.code ?? 'CODE'}`);
        }
      }),
    );

  group
    .command('approve')
    .description('approve a request: allowlists the sender, tells them, and answers their first message')
    .argument('<channel>', 'telegram, whatsapp or slack')
    .argument('<code...>', 'the 8-character code (case and spaces do not matter)')
    .option('--no-notify', 'do not tell the sender they were approved')
    .action((channel: string, code: string[], opts: { notify: boolean }) =>
      withPairingErrors(() => {
        const r = pairingFromEnv(env).approve(channel, code.join(''), 'cli', { notify: opts.notify });
        const who = describeSender(r.request.senderId, r.request.senderName);
        env.out(`Approved ${who} on ${r.request.channel}.`);
        env.out(
          `${r.notified ? 'They will be told, and their' : 'Their'} first message will be answered by the running gateway (or when it next starts).`,
        );
        if (r.becameOwner) {
          env.out(
            `${who} is the owner of ${r.request.channel} now: they can approve others from their chat with /approve CODE.`,
          );
        }
      }),
    );

  group
    .command('deny')
    .description('deny a request: the kept message is dropped and the sender gets no new code for a while')
    .argument('<channel>', 'telegram, whatsapp or slack')
    .argument('<code...>', 'the 8-character code')
    .action((channel: string, code: string[]) =>
      withPairingErrors(() => {
        const { request } = pairingFromEnv(env).deny(channel, code.join(''), 'cli');
        env.out(`Denied ${describeSender(request.senderId, request.senderName)} on ${request.channel}.`);
      }),
    );
};
