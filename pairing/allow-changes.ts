// Allowlist changes made by a person (CLI, dashboard): validate the entry, write it, keep owners
// consistent (removing the owner clears ownership), and audit each change in the same transaction.

import type { AllowEntry, EntryKind } from './allowlist.js';
import type { Actor } from './audit.js';
import type { PairingContext } from './context.js';
import { hasControlChars } from './display.js';
import { PairingError } from './errors.js';
import { assertChannel, type ChannelName, GROUP_PREFIX, MAX_ENTRY_LENGTH } from './policies.js';

export interface ParsedEntry {
  channel: ChannelName;
  kind: EntryKind;
  subject: string;
}

/** `SENDER` or `group:<conversationKey>`; usage errors (exit 2) for empty, huge or unprintable input. */
export function parseEntry(channelInput: string, raw: string): ParsedEntry {
  const channel = assertChannel(channelInput);
  if (channel === 'local') {
    throw new PairingError(
      'invalid-entry',
      'the local channel needs no allowlist: it is always allowed (it sits behind the gateway token)',
    );
  }
  const value = raw.trim();
  const isGroup = value.toLowerCase().startsWith(GROUP_PREFIX);
  const subject = isGroup ? value.slice(GROUP_PREFIX.length).trim() : value;
  const what = isGroup ? 'group id' : 'sender id';
  if (!subject) throw new PairingError('invalid-entry', `the ${what} is empty`);
  if ([...subject].length > MAX_ENTRY_LENGTH) {
    throw new PairingError('invalid-entry', `the ${what} is longer than ${MAX_ENTRY_LENGTH} characters`);
  }
  if (hasControlChars(subject)) {
    throw new PairingError('invalid-entry', `the ${what} contains control characters`);
  }
  return { channel, kind: isGroup ? 'group' : 'sender', subject };
}

export interface AddOptions {
  /** A display name to keep with the entry. */
  name?: string;
  /** Make this sender the channel's owner (replacing the current one). */
  owner?: boolean;
}

export interface AddResult {
  entry: AllowEntry;
  /** False when the entry was already on the allowlist. */
  added: boolean;
  becameOwner: boolean;
}

export function addEntry(
  ctx: PairingContext,
  channelInput: string,
  raw: string,
  actor: Actor,
  opts: AddOptions = {},
): AddResult {
  const { channel, kind, subject } = parseEntry(channelInput, raw);
  if (opts.owner && kind === 'group') throw new PairingError('invalid-entry', 'a group cannot be an owner');
  return ctx.db
    .transaction((): AddResult => {
      const now = ctx.clock();
      const entry: AllowEntry = {
        channel,
        kind,
        subject,
        name: opts.name ?? '',
        addedBy: actor,
        addedAt: now,
      };
      const added = ctx.allowlist.add(entry);
      if (added)
        ctx.audit.record({
          at: now,
          action: 'allow.add',
          channel,
          subject: display(kind, subject),
          actor,
          detail: null,
        });
      let becameOwner = false;
      if (opts.owner && !ctx.owners.isOwner(channel, subject)) {
        const previous = ctx.owners.get(channel);
        if (previous) ctx.owners.clearIf(channel, previous.senderId);
        becameOwner = ctx.owners.setIfNone(channel, subject, now);
        ctx.audit.record({
          at: now,
          action: 'owner.set',
          channel,
          subject,
          actor,
          detail: previous ? { previousOwner: previous.senderId } : null,
        });
      }
      const stored = ctx.allowlist.list(channel).find((e) => e.kind === kind && e.subject === subject);
      return { entry: stored ?? entry, added, becameOwner };
    })
    .immediate();
}

export interface RemoveResult {
  /** The removed sender was the channel's owner; the channel has no owner now. */
  wasOwner: boolean;
}

export function removeEntry(
  ctx: PairingContext,
  channelInput: string,
  raw: string,
  actor: Actor,
): RemoveResult {
  const { channel, kind, subject } = parseEntry(channelInput, raw);
  return ctx.db
    .transaction((): RemoveResult => {
      const now = ctx.clock();
      if (!ctx.allowlist.remove(channel, kind, subject)) {
        throw new PairingError(
          'not-on-allowlist',
          `${display(kind, subject)} is not on the ${channel} allowlist; see it with: sandgate allow list ${channel}`,
        );
      }
      ctx.audit.record({
        at: now,
        action: 'allow.remove',
        channel,
        subject: display(kind, subject),
        actor,
        detail: null,
      });
      const wasOwner = kind === 'sender' && ctx.owners.clearIf(channel, subject);
      if (wasOwner)
        ctx.audit.record({ at: now, action: 'owner.clear', channel, subject, actor, detail: null });
      return { wasOwner };
    })
    .immediate();
}

/** How an entry is written on the command line and in the audit log. */
export function display(kind: EntryKind, subject: string): string {
  return kind === 'group' ? `${GROUP_PREFIX}${subject}` : subject;
}
