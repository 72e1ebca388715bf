// Events carry only a user id; pairing requests and the dashboard show a name. users.info (scope
// users:read) is asked once per user and remembered for an hour; when it fails the id stands in, so a
// missing scope or a Slack hiccup never holds a message back.

import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';

const TTL_MS = 3600_000;
const MAX_ENTRIES = 5000;

export class UserNames {
  private readonly cache = new Map<string, { name: string; at: number }>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
  ) {}

  async lookup(userId: string): Promise<string> {
    const hit = this.cache.get(userId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.name;
    let name = userId;
    try {
      const res = await this.client.users.info({ user: userId });
      const u = res.user;
      name = u?.profile?.display_name || u?.real_name || u?.name || userId;
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'slack: users.info failed; using the user id');
    }
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(userId, { name, at: Date.now() });
    return name;
  }
}
