// `/approve CODE`, `/deny CODE`, `/pending`: the channel owner decides pairing requests from their own
// DM with the bot (or from the local chat, whose sender is the owner). Everyone else gets a clear refusal.

import type { Command, CommandContext, CommandReply } from '../src/gateway/commands.js';
import type { InboundRow } from '../src/store/repos/inbound-repo.js';
import { approve, deny, listPending } from './approvals.js';
import { chatActor } from './audit.js';
import type { PairingContext } from './context.js';
import { describeSender, formatRemaining, safeText } from './display.js';
import { PairingError } from './errors.js';
import { normaliseCode } from './pairing-codes.js';
import { isChannelName } from './policies.js';

const text = (t: string): CommandReply => ({ text: t });

/** A refusal when this sender may not decide pairing requests, undefined when they may. */
function refusal(ctx: PairingContext, msg: InboundRow): string | undefined {
  if (msg.channel === 'local') return undefined;
  if (!ctx.owners.isOwner(msg.channel, msg.senderId)) {
    return `Only the owner of this bot on ${msg.channel} can approve or deny pairing requests.`;
  }
  if (!msg.isDirect) return 'Please do this in your direct chat with me, not in a group.';
  return undefined;
}

/** `[CHANNEL] CODE` → the request's channel and code, or a reply explaining what is wrong. */
function target(
  ctx: PairingContext,
  msg: InboundRow,
  args: string,
  verb: string,
): { channel: string; code: string } | string {
  const tokens = args.split(/\s+/).filter(Boolean);
  let channel: string | undefined;
  if (tokens.length > 1 && isChannelName((tokens[0] as string).toLowerCase())) {
    channel = (tokens.shift() as string).toLowerCase();
  }
  const raw = tokens.join('');
  if (!raw) return `Usage: /${verb} CODE — the 8-character code the person received.`;
  const code = normaliseCode(raw);
  if (!code)
    return `"${safeText(raw, 40)}" is not a pairing code: codes are 8 letters and digits, e.g. ABCD2345.`;
  if (msg.channel !== 'local') {
    if (channel && channel !== msg.channel)
      return `From here you can only ${verb} requests on ${msg.channel}.`;
    return { channel: msg.channel, code };
  }
  if (channel) return { channel, code };
  const matches = ctx.requests.pendingByCode(code);
  if (matches.length === 1) return { channel: (matches[0] as { channel: string }).channel, code };
  if (matches.length === 0)
    return `No pending pairing request has the code ${code}. Send /pending to see them.`;
  return `The code ${code} is pending on several channels; say which one, e.g. /${verb} telegram ${code}.`;
}

function decideCommand(ctx: PairingContext, verb: 'approve' | 'deny'): Command {
  return {
    name: verb,
    summary:
      verb === 'approve' ? 'approve a pairing request (owner only)' : 'deny a pairing request (owner only)',
    usage: `${verb} CODE`,
    mode: 'immediate',
    hidden: true,
    ownerOnly: true,
    async run({ msg, args }: CommandContext): Promise<CommandReply> {
      const refused = refusal(ctx, msg);
      if (refused) return text(refused);
      const t = target(ctx, msg, args, verb);
      if (typeof t === 'string') return text(t);
      const actor = chatActor(msg.channel, msg.senderId);
      try {
        if (verb === 'deny') {
          const { request } = deny(ctx, t.channel, t.code, actor);
          return text(
            `Denied ${describeSender(request.senderId, request.senderName)} on ${request.channel}.`,
          );
        }
        const r = approve(ctx, t.channel, t.code, actor);
        const who = describeSender(r.request.senderId, r.request.senderName);
        const lines = [
          `Approved ${who} on ${r.request.channel}. ${r.notified ? "They've been told, and their" : 'Their'} first message is being answered now.`,
        ];
        if (r.becameOwner) lines.push(`They are the owner of ${r.request.channel} now.`);
        return text(lines.join('\n'));
      } catch (err) {
        if (err instanceof PairingError)
          return text(`${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`);
        throw err;
      }
    },
  };
}

function pendingCommand(ctx: PairingContext): Command {
  return {
    name: 'pending',
    summary: 'list pairing requests waiting for approval (owner only)',
    mode: 'immediate',
    hidden: true,
    ownerOnly: true,
    async run({ msg }: CommandContext): Promise<CommandReply> {
      const refused = refusal(ctx, msg);
      if (refused) return text(refused);
      const channel = msg.channel === 'local' ? undefined : msg.channel;
      const pending = listPending(ctx, channel);
      if (pending.length === 0) return text('No pairing requests are waiting.');
      const now = ctx.clock();
      const lines = pending.map(
        (r) =>
          `${r.channel} ${r.code ?? ''} — ${describeSender(r.senderId, r.senderName)}, ${formatRemaining(r.expiresAt - now)} left`,
      );
      return text(
        `Waiting for approval:\n${lines.join('\n')}\nApprove with /approve CODE, deny with /deny CODE.`,
      );
    },
  };
}

export function createChatCommands(ctx: PairingContext): Command[] {
  return [decideCommand(ctx, 'approve'), decideCommand(ctx, 'deny'), pendingCommand(ctx)];
}
