// What the fake Slack workspace holds: one team, the app's bot user, people, conversations (with
// who is a member), the messages the bot posted (with every edit), uploaded files and every Web API
// call. Message timestamps (`ts`) are unique and increasing, as Slack's are within a channel.

export type Json = Record<string, unknown>;

export interface FakeUser {
  id: string;
  name: string;
  realName: string;
  isBot?: boolean;
}

export interface FakeConversation {
  id: string;
  name: string;
  /** A direct message with `user` (ids start with D). */
  im?: { user: string };
  members: Set<string>;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  /** Every text the message had, the first one included (chat.update appends). */
  history: string[];
  unfurlLinks?: boolean;
  unfurlMedia?: boolean;
  /** Set for chat.postEphemeral: only this user sees it. */
  ephemeralTo?: string;
  /** Files shared by files.completeUploadExternal. */
  files?: string[];
}

export interface FakeFile {
  id: string;
  name: string;
  title?: string;
  mimetype: string;
  data?: Buffer;
  /** Announced to files.getUploadURLExternal. */
  length: number;
  shared?: { channel: string; threadTs?: string };
}

export interface RecordedCall {
  method: string;
  params: Json;
  /** The token the call carried (Authorization: Bearer, or a `token` parameter). */
  token?: string;
  contentType: string;
  /** HTTP status the fake answered with. */
  status: number;
  /** Slack's `error` when `ok` was false. */
  error?: string;
  at: number;
}

export class FakeState {
  readonly team = { id: 'T0SANDGATE', name: 'Sandgate Test', domain: 'sandgate-test' };
  readonly bot = { userId: 'U0SGBOT', botId: 'B0SGBOT', appId: 'A0SGAPP', name: 'sandgate' };
  readonly users = new Map<string, FakeUser>();
  readonly conversations = new Map<string, FakeConversation>();
  readonly messages: PostedMessage[] = [];
  readonly files = new Map<string, FakeFile>();
  private lastTs = 0;
  private seq = 0;

  constructor() {
    this.addUser({ id: this.bot.userId, name: this.bot.name, realName: 'Sandgate', isBot: true });
  }

  addUser(user: FakeUser): FakeUser {
    this.users.set(user.id, user);
    return user;
  }

  /** A public channel; the bot is a member unless `botMember` is false. */
  addChannel(id: string, name: string, members: string[] = [], botMember = true): FakeConversation {
    const conv: FakeConversation = {
      id,
      name,
      members: new Set([...members, ...(botMember ? [this.bot.userId] : [])]),
    };
    this.conversations.set(id, conv);
    return conv;
  }

  /** The bot's DM with `user`, created on first use (what conversations.open answers). */
  imWith(user: string): FakeConversation {
    for (const c of this.conversations.values()) if (c.im?.user === user) return c;
    const conv: FakeConversation = {
      id: `D${user.replace(/^U/, '')}`,
      name: user,
      im: { user },
      members: new Set([user, this.bot.userId]),
    };
    this.conversations.set(conv.id, conv);
    return conv;
  }

  /** A fresh message timestamp, strictly after every earlier one. */
  nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastTs + 1);
    this.lastTs = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${String(this.seq).padStart(8, '0')}`;
  }
}

/** What a posted mrkdwn text reads as: Slack's three entities turned back into characters. */
export function plainText(mrkdwn: string): string {
  return mrkdwn.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
