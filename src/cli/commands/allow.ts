// `sandgate allow list|add|remove`: who may reach the bot without pairing, per channel. Entries are sender
// ids, or `group:<conversation key>` for groups. Changes apply to the next message; each is audited.

import { describeSender, safeText } from '../../../pairing/display.js';
import { table } from '../../../pairing/table.js';
import type { RegisterCommands } from '../cli-env.js';
import { pairingFromEnv, withPairingErrors } from './pairing.js';

export const registerAllowCommands: RegisterCommands = (program, env) => {
  const group = program
    .command('allow')
    .description('allowlists: senders and groups that may use the bot without pairing');

  group
    .command('list')
    .description('show the allowlist')
    .argument('[channel]', 'only this channel (telegram, whatsapp, slack)')
    .option('--json', 'print JSON')
    .action((channel: string | undefined, opts: { json?: boolean }) =>
      withPairingErrors(() => {
        const pairing = pairingFromEnv(env);
        const entries = pairing.allow.list(channel);
        const owners = new Map(pairing.owners.list().map((o) => [o.channel, o.senderId]));
        const isOwner = (c: string, kind: string, s: string) => kind === 'sender' && owners.get(c) === s;
        if (opts.json) {
          env.json(
            entries.map((e) => ({
              channel: e.channel,
              kind: e.kind,
              id: e.subject,
              name: e.name,
              owner: isOwner(e.channel, e.kind, e.subject),
              addedBy: e.addedBy,
              addedAt: new Date(e.addedAt).toISOString(),
            })),
          );
          return;
        }
        if (entries.length === 0) {
          env.out(`The allowlist${channel ? ` of ${channel.toLowerCase()}` : ''} is empty.`);
          return;
        }
        const rows = entries.map((e) => [
          e.channel,
          e.kind === 'group' ? `group:${safeText(e.subject, 60)}` : describeSender(e.subject, e.name),
          isOwner(e.channel, e.kind, e.subject) ? 'owner' : '',
          `${safeText(e.addedBy, 40)} ${new Date(e.addedAt).toISOString().slice(0, 10)}`,
        ]);
        for (const line of table(['CHANNEL', 'ENTRY', 'ROLE', 'ADDED'], rows)) env.out(line);
      }),
    );

  group
    .command('add')
    .description('allow a sender (their id on the channel) or a group (group:<conversation key>)')
    .argument('<channel>', 'telegram, whatsapp or slack')
    .argument('<sender>', 'sender id, or group:<id>')
    .option('--name <name>', 'a name to show next to the id')
    .option('--owner', 'make this sender the owner of the channel (may approve others from chat)')
    .action((channel: string, sender: string, opts: { name?: string; owner?: boolean }) =>
      withPairingErrors(() => {
        const r = pairingFromEnv(env).allow.add(channel, sender, 'cli', opts);
        const shown = safeText(sender.trim(), 80);
        env.out(
          r.added
            ? `Added ${shown} to the ${r.entry.channel} allowlist.`
            : `${shown} was already on the ${r.entry.channel} allowlist.`,
        );
        if (r.becameOwner) env.out(`${shown} is the owner of ${r.entry.channel} now.`);
      }),
    );

  group
    .command('remove')
    .description('remove a sender or group; applies to their next message')
    .argument('<channel>', 'telegram, whatsapp or slack')
    .argument('<sender>', 'sender id, or group:<id>')
    .action((channel: string, sender: string) =>
      withPairingErrors(() => {
        const r = pairingFromEnv(env).allow.remove(channel, sender, 'cli');
        const shown = safeText(sender.trim(), 80);
        env.out(`Removed ${shown} from the ${channel.trim().toLowerCase()} allowlist.`);
        if (r.wasOwner) {
          env.out(
            'They were the owner of that channel; the next sender you approve there becomes its owner.',
          );
        }
      }),
    );
};
