// Every DM and group policy, through the access step as the gateway runs it.

import { afterEach, describe, expect, it } from 'vitest';
import { policyWarnings } from '../../pairing/index.js';
import {
  admit,
  dm,
  groupMessage,
  outboxTexts,
  policyConfig,
  receive,
  type Setup,
  setup,
  stateOf,
} from './helpers.js';

let s: Setup;
afterEach(() => s?.close());

describe('DM policies', () => {
  it('pairing (the default): an unknown sender is held with a code, an allowlisted one gets through', async () => {
    s = setup();
    const stranger = dm(s.store, '111', 'hi');
    const d = await admit(s.store, s.pairing.access, stranger);
    expect(d).toMatchObject({ allow: false, hold: true });
    expect(stateOf(s.store, stranger.id)).toBe('held');

    s.pairing.allow.add('telegram', '222', 'cli');
    const known = dm(s.store, '222', 'hi');
    expect(await admit(s.store, s.pairing.access, known)).toEqual({ allow: true });
    expect(stateOf(s.store, known.id)).toBe('queued');
  });

  it('allowlist: only allowlisted senders, strangers rejected without a reply or a code', async () => {
    s = setup({ config: policyConfig({ telegram: { dmPolicy: 'allowlist' } }) });
    const stranger = dm(s.store, '111');
    expect(await admit(s.store, s.pairing.access, stranger)).toMatchObject({ allow: false });
    expect(stateOf(s.store, stranger.id)).toBe('rejected');
    expect(outboxTexts(s.store, stranger.conversationKey)).toEqual([]);
    expect(s.pairing.list()).toEqual([]);

    s.pairing.allow.add('telegram', '111', 'cli');
    const again = dm(s.store, '111');
    expect(await admit(s.store, s.pairing.access, again)).toEqual({ allow: true });
  });

  it('open: anyone', async () => {
    s = setup({ config: policyConfig({ telegram: { dmPolicy: 'open' } }) });
    expect(await admit(s.store, s.pairing.access, dm(s.store, '999'))).toEqual({ allow: true });
  });

  it('disabled: nobody, not even allowlisted senders', async () => {
    s = setup({ config: policyConfig({ telegram: { dmPolicy: 'disabled' } }) });
    s.pairing.allow.add('telegram', '222', 'cli');
    const msg = dm(s.store, '222');
    expect(await admit(s.store, s.pairing.access, msg)).toMatchObject({ allow: false });
    expect(stateOf(s.store, msg.id)).toBe('rejected');
    expect(outboxTexts(s.store, msg.conversationKey)).toEqual([]);
  });

  it('policies are per channel', async () => {
    s = setup({ config: policyConfig({ slack: { dmPolicy: 'open' } }) });
    expect(await admit(s.store, s.pairing.access, dm(s.store, 'U1', 'hi', 'slack'))).toEqual({ allow: true });
    expect(await admit(s.store, s.pairing.access, dm(s.store, 'U1', 'hi', 'telegram'))).toMatchObject({
      allow: false,
      hold: true,
    });
  });

  it('the local channel is always allowed, whatever its policy', async () => {
    s = setup({ config: policyConfig({ local: { dmPolicy: 'disabled', groupPolicy: 'disabled' } }) });
    const msg = receive(s.store, { channel: 'local', senderId: 'owner', conversationKey: 'local:default' });
    expect(await admit(s.store, s.pairing.access, msg)).toEqual({ allow: true });
  });

  it('bots are ignored: isBot from the channel, or a bot: id; even under an open policy', async () => {
    s = setup({ config: policyConfig({ telegram: { dmPolicy: 'open', groupPolicy: 'open' } }) });
    const flagged = { ...dm(s.store, '555'), isBot: true };
    expect(await s.pairing.access.check(flagged)).toMatchObject({
      allow: false,
      reason: 'message from a bot',
    });
    const prefixed = dm(s.store, 'bot:sandgate');
    expect(await admit(s.store, s.pairing.access, prefixed)).toMatchObject({ allow: false });
    expect(stateOf(s.store, prefixed.id)).toBe('rejected');
    expect(outboxTexts(s.store, prefixed.conversationKey)).toEqual([]);
    const inGroup = groupMessage(s.store, 'bot:other', 'tg:-100', { mentioned: true });
    expect(await admit(s.store, s.pairing.access, inGroup)).toMatchObject({ allow: false });
  });
});

describe('group policies', () => {
  it('allowlist (the default): only allowlisted groups, and only when the bot is addressed', async () => {
    s = setup();
    const unknownGroup = groupMessage(s.store, '111', 'tg:-100500');
    expect(await admit(s.store, s.pairing.access, unknownGroup)).toMatchObject({ allow: false });
    expect(stateOf(s.store, unknownGroup.id)).toBe('rejected');
    expect(outboxTexts(s.store, 'tg:-100500')).toEqual([]);

    s.pairing.allow.add('telegram', 'group:tg:-100500', 'cli');
    expect(await admit(s.store, s.pairing.access, groupMessage(s.store, '111', 'tg:-100500'))).toEqual({
      allow: true,
    });
    // Threads / topics of an allowlisted group are covered; a different group with a common prefix is not.
    expect(
      await admit(s.store, s.pairing.access, groupMessage(s.store, '111', 'tg:-100500:topic:7')),
    ).toEqual({ allow: true });
    expect(await admit(s.store, s.pairing.access, groupMessage(s.store, '111', 'tg:-1005001'))).toMatchObject(
      {
        allow: false,
      },
    );
    // Not mentioned: chatter between people, never for the bot.
    const chatter = groupMessage(s.store, '111', 'tg:-100500', { mentioned: false });
    expect(await admit(s.store, s.pairing.access, chatter)).toMatchObject({ allow: false });
  });

  it('approval in a DM does not grant a group', async () => {
    s = setup();
    s.pairing.allow.add('telegram', '111', 'cli');
    expect(await admit(s.store, s.pairing.access, dm(s.store, '111'))).toEqual({ allow: true });
    expect(await admit(s.store, s.pairing.access, groupMessage(s.store, '111', 'tg:-100600'))).toMatchObject({
      allow: false,
    });
  });

  it('and allowing a group does not grant its members DMs', async () => {
    s = setup({ config: policyConfig({ telegram: { dmPolicy: 'allowlist' } }) });
    s.pairing.allow.add('telegram', 'group:tg:-100700', 'cli');
    expect(await admit(s.store, s.pairing.access, dm(s.store, '111'))).toMatchObject({ allow: false });
  });

  it('open: any group, but still only when addressed; a group message never starts pairing', async () => {
    s = setup({ config: policyConfig({ telegram: { groupPolicy: 'open' } }) });
    expect(await admit(s.store, s.pairing.access, groupMessage(s.store, '111', 'tg:-1'))).toEqual({
      allow: true,
    });
    expect(
      await admit(s.store, s.pairing.access, groupMessage(s.store, '111', 'tg:-1', { mentioned: false })),
    ).toMatchObject({ allow: false });
    expect(s.pairing.list()).toEqual([]);
  });

  it('disabled: no group at all, even allowlisted and mentioned', async () => {
    s = setup({ config: policyConfig({ telegram: { groupPolicy: 'disabled' } }) });
    s.pairing.allow.add('telegram', 'group:tg:-100500', 'cli');
    expect(await admit(s.store, s.pairing.access, groupMessage(s.store, '111', 'tg:-100500'))).toMatchObject({
      allow: false,
    });
  });
});

describe('policy warnings for doctor', () => {
  it('warn about open policies only', () => {
    expect(policyWarnings(policyConfig())).toEqual([]);
    const warnings = policyWarnings(
      policyConfig({
        telegram: { dmPolicy: 'open' },
        slack: { groupPolicy: 'open' },
        local: { dmPolicy: 'open' },
      }),
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('channels.telegram.dmPolicy');
    expect(warnings[1]).toContain('channels.slack.groupPolicy');
  });
});
