// What happens to an admitted message (pipeline steps 3–4, DESIGN §3), decided without side
// effects: refused by access or by a limit (with the reply saying why), an immediate command, or a
// place in its lane with its route. The intake records the decision; nothing downstream re-parses.

import type { AccessDecision } from './access.js';
import type { Command, CommandRegistry, CommandReply } from './commands.js';
import { messageRules, type RuleInput } from './message-rules.js';
import { type RunTarget, route } from './route.js';

export type Outcome =
  | { kind: 'settle'; state: 'held' | 'rejected'; reason: string; outcome: string; reply?: CommandReply }
  | { kind: 'immediate'; command: Command; args: string }
  | { kind: 'queue'; target: RunTarget };

export type ClassifyInput = RuleInput & {
  attachments: { name: string; size: number }[];
};

export interface ClassifyRules {
  commands: Pick<CommandRegistry, 'get' | 'helpText'>;
  /** Largest attachment accepted here, in bytes (config and the channel's own limit, whichever is lower). */
  attachmentLimit: number;
  /** Set when the text was over `limits.maxMessageBytes` (the reason, for the reply). */
  refusal?: string;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export function classify(msg: ClassifyInput, decision: AccessDecision, rules: ClassifyRules): Outcome {
  if (!decision.allow) {
    return {
      kind: 'settle',
      state: decision.hold ? 'held' : 'rejected',
      reason: decision.reason,
      outcome: decision.hold ? 'held' : 'rejected',
      ...(decision.reply ? { reply: { text: decision.reply } } : {}),
    };
  }
  if (rules.refusal) {
    return {
      kind: 'settle',
      state: 'rejected',
      reason: rules.refusal,
      outcome: 'too_large',
      reply: {
        text: `That message was not processed: ${rules.refusal}. Please send something shorter, or attach it as a file.`,
      },
    };
  }
  const ruled = messageRules(msg, rules.commands);
  if (ruled) return ruled;
  const tooBig = msg.attachments.find((a) => a.size > rules.attachmentLimit);
  if (tooBig) {
    return {
      kind: 'settle',
      state: 'rejected',
      reason: 'attachment too large',
      outcome: 'too_large',
      reply: {
        text: `The file ${tooBig.name} is ${mb(tooBig.size)}; the limit here is ${mb(rules.attachmentLimit)}. Nothing was run — send a smaller file or a link to it.`,
      },
    };
  }
  if (!msg.text.trim() && msg.attachments.length === 0) {
    return {
      kind: 'settle',
      state: 'rejected',
      reason: 'empty message',
      outcome: 'empty',
      reply: { text: 'That message was empty. Send text, a command (see /help) or a file.' },
    };
  }
  const routed = route(msg.text, rules.commands);
  if (routed.kind === 'unknown-command') {
    return {
      kind: 'settle',
      state: 'rejected',
      reason: 'unknown command',
      outcome: 'unknown_command',
      reply: { text: `Unknown command /${routed.name}.\n\n${rules.commands.helpText()}` },
    };
  }
  if (routed.kind === 'command' && routed.command.mode === 'immediate')
    return { kind: 'immediate', command: routed.command, args: routed.args };
  return { kind: 'queue', target: routed };
}
