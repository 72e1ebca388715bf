// Slack's `message_changed` events, mapped: a person's edit of a message that addressed the bot
// reaches the gateway as an edit (which it answers: edits are not processed); changes nobody typed
// (link unfurls, our own chat.update) and edits of chatter not meant for the bot stay out.

import { describe, expect, it } from 'vitest';
import { SlackFiles } from '../../../channels/slack/attachments.js';
import { mapMessageEvent } from '../../../channels/slack/inbound-mapper.js';
import { messageEventSchema } from '../../../channels/slack/payload-schema.js';
import { messageChangedEvent, messageEvent } from '../../fakes/slack/requests.js';

const BOT = { userId: 'U0BOT', botId: 'B0BOT' };
const files = new SlackFiles({ token: 'xoxb-unused', apiUrl: 'https://slack.com/api/', maxBytes: 1024 });

function mapped(event: Record<string, unknown>) {
  return mapMessageEvent('T1', messageEventSchema.parse(event), BOT, files, 'Ada');
}

describe('Slack edits', () => {
  const dm = messageEvent('message', { user: 'U1', channel: 'D1', text: '/sh ls', ts: '100.000001' });

  it('a DM edited by its author is an edit of the original, in the same conversation', () => {
    const original = mapped(dm);
    const edit = mapped(messageChangedEvent(dm, '/sh rm -rf /', '200.000002'));
    if (!('inbound' in original) || !('inbound' in edit)) throw new Error('not mapped');
    expect(edit.inbound.context).toEqual({ editOf: original.inbound.platformId });
    expect(edit.inbound.platformId).toBe('D1:100.000001:edit:200.000002');
    expect(edit.inbound.conversationKey).toBe(original.inbound.conversationKey);
    expect(edit.inbound.text).toBe('/sh rm -rf /');
  });

  it('a channel message edited to mention the bot is an edit, answered in the original thread', () => {
    const said = messageEvent('message', {
      user: 'U1',
      channel: 'C1',
      text: 'hi',
      ts: '300.000001',
      channelType: 'channel',
    });
    const edit = mapped(messageChangedEvent(said, '<@U0BOT> /status', '301.000001'));
    if (!('inbound' in edit)) throw new Error('not mapped');
    expect(edit.inbound.context?.editOf).toBe('C1:300.000001');
    expect(edit.inbound.route.thread).toBe('300.000001');
  });

  it('leaves out changes nobody typed, bots’ messages and edits that do not address the bot', () => {
    const unfurl = messageChangedEvent(dm, '/sh ls', '400.000001');
    delete (unfurl.message as { edited?: unknown }).edited;
    expect(mapped(unfurl)).toEqual({ skipped: 'subtype' });
    const ours = messageEvent('message', {
      user: 'U0BOT',
      channel: 'D1',
      text: 'working…',
      ts: '500.000001',
      botId: 'B0BOT',
    });
    expect(mapped(messageChangedEvent(ours, 'done', '501.000001'))).toEqual({ skipped: 'self' });
    const chatter = messageEvent('message', {
      user: 'U1',
      channel: 'C1',
      text: 'lunch?',
      ts: '600.000001',
      channelType: 'channel',
    });
    expect(mapped(messageChangedEvent(chatter, 'lunch at 1?', '601.000001'))).toEqual({
      skipped: 'not-addressed',
    });
  });
});
