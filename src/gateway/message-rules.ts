// Messages that are answered instead of run, whoever is allowed to send them: an edit (not processed —
// said once, never silence), a message sent on behalf of a chat (nobody identifiable typed it), a
// kind the gateway cannot take (sticker, poll …), and an owner-only command in a message that was
// held for a pairing approval — judged by the rights its sender had when it was sent: none.

import type { InboundRow } from '../store/repos/inbound-repo.js';
import type { Outcome } from './classify.js';
import type { CommandRegistry } from './commands.js';
import { route } from './route.js';

export type RuleInput = Pick<InboundRow, 'text'> & Partial<Pick<InboundRow, 'context' | 'heldAt'>>;

type Settle = Extract<Outcome, { kind: 'settle' }>;

const refuse = (reason: string, outcome: string, text: string): Settle => ({
  kind: 'settle',
  state: 'rejected',
  reason,
  outcome,
  reply: { text },
});

/** A settle outcome when a rule applies to `msg`, undefined when it goes on to routing. */
export function messageRules(msg: RuleInput, commands: Pick<CommandRegistry, 'get'>): Settle | undefined {
  const context = msg.context ?? {};
  if (context.editOf !== undefined) {
    return refuse(
      'edited message',
      'edited',
      'Edits are not processed: I already handled the original message. Send the corrected version as a new message.',
    );
  }
  if (context.onBehalfOf !== undefined) {
    return refuse(
      'sent on behalf of a chat',
      'anonymous',
      `This was sent on behalf of ${context.onBehalfOf} (anonymously), so I cannot tell who sent it and nothing was run. Send it from your own account.`,
    );
  }
  if (context.unsupported !== undefined) {
    return refuse(
      `unsupported message type: ${context.unsupported}`,
      'unsupported',
      `${capitalise(context.unsupported)} messages are not supported here. Send text, a command (see /help) or a file.`,
    );
  }
  if (msg.heldAt !== null && msg.heldAt !== undefined) {
    const routed = route(msg.text, commands);
    if (routed.kind === 'command' && routed.command.ownerOnly) {
      return refuse(
        'owner-only command in a message held for approval',
        'held_rights',
        `/${routed.command.name} was not run: it came in a message you sent before you were approved, and it needs rights you did not have then. Send it again if you meant it.`,
      );
    }
  }
  return undefined;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
