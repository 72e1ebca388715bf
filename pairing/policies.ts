// Channel policies in one place (DESIGN §3 step 3): which DMs and which groups may reach the bot.
// Channels only report who sent what; every channel gets the same rules from here.
//
// Group ids: a group allowlist entry is `group:<conversationKey>`, the gateway's conversation key of the
// group as stored on InboundRow.conversationKey (e.g. `group:tg:-1001234567`). An entry also covers the
// group's threads and topics, whose keys extend it with `:` (`tg:-1001234567:topic:7`).

import { PairingError } from './errors.js';

export const CHANNEL_IDS = ['telegram', 'whatsapp', 'slack', 'local'] as const;
export type ChannelName = (typeof CHANNEL_IDS)[number];

export type DmPolicy = 'pairing' | 'allowlist' | 'open' | 'disabled';
export type GroupPolicy = 'allowlist' | 'open' | 'disabled';

export interface ChannelPolicy {
  dmPolicy: DmPolicy;
  groupPolicy: GroupPolicy;
}

/** The part of the gateway config pairing reads (`channels.<id>.dmPolicy / groupPolicy`). */
export interface PolicyConfig {
  channels: Partial<Record<string, ChannelPolicy>>;
}

/** What a channel missing from the config gets: the safe defaults of the schema. */
export const DEFAULT_POLICY: ChannelPolicy = { dmPolicy: 'pairing', groupPolicy: 'allowlist' };

export const GROUP_PREFIX = 'group:';
/** Longest sender id or group key accepted from the CLI (ids from channels are stored as they come). */
export const MAX_ENTRY_LENGTH = 1024;

export function isChannelName(name: string): name is ChannelName {
  return (CHANNEL_IDS as readonly string[]).includes(name);
}

/** Validates a channel name typed by a person; the error lists the known ones. */
export function assertChannel(name: string): ChannelName {
  const lower = name.trim().toLowerCase();
  if (isChannelName(lower)) return lower;
  throw new PairingError(
    'unknown-channel',
    `unknown channel "${name}" (known channels: ${CHANNEL_IDS.join(', ')})`,
  );
}

export function policyFor(config: PolicyConfig, channel: string): ChannelPolicy {
  return config.channels[channel] ?? DEFAULT_POLICY;
}

export type StepResult = { allow: true } | { allow: false; reason: string };

/** Group messages: policy, then "was the bot addressed", then the group allowlist. */
export function decideGroup(
  policy: GroupPolicy,
  mentioned: boolean,
  groupAllowed: () => boolean,
): StepResult {
  if (policy === 'disabled') return { allow: false, reason: 'group messages are disabled on this channel' };
  // Unaddressed chatter in a group is never for the bot, whatever the policy.
  if (!mentioned) return { allow: false, reason: 'group message not addressed to the bot' };
  if (policy === 'open') return { allow: true };
  return groupAllowed() ? { allow: true } : { allow: false, reason: 'group is not on the allowlist' };
}

/** Direct messages: `pair` means "run the pairing flow" (unknown sender under dmPolicy=pairing). */
export function decideDirect(policy: DmPolicy, senderAllowed: () => boolean): StepResult | { pair: true } {
  if (policy === 'disabled') return { allow: false, reason: 'direct messages are disabled on this channel' };
  if (policy === 'open') return { allow: true };
  if (senderAllowed()) return { allow: true };
  if (policy === 'allowlist') return { allow: false, reason: 'sender is not on the allowlist' };
  return { pair: true };
}

/** Settings `sandgate doctor` should point out: anything that lets strangers in without an approval. */
export function policyWarnings(config: PolicyConfig): string[] {
  const warnings: string[] = [];
  for (const channel of CHANNEL_IDS) {
    if (channel === 'local') continue; // behind the gateway token; its sender is the owner
    const p = policyFor(config, channel);
    if (p.dmPolicy === 'open') {
      warnings.push(
        `channels.${channel}.dmPolicy is "open": anyone who finds the bot on ${channel} can run agents and sandboxes without an approval`,
      );
    }
    if (p.groupPolicy === 'open') {
      warnings.push(
        `channels.${channel}.groupPolicy is "open": any ${channel} group the bot is added to can use it when it is mentioned`,
      );
    }
  }
  return warnings;
}
