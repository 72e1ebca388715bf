// Files people share with the bot, as lazy attachments: nothing is downloaded until the gateway calls
// fetch(), which GETs `url_private_download` with the bot token (Slack: "Authorization: Bearer"; needs
// the files:read scope). The token only ever goes to Slack's own file hosts (or the configured API
// host), the download stops at `maxBytes`, and an HTML answer (Slack's sign-in page) is an error.

import type { Attachment } from '../channel.js';

export interface SlackFileRef {
  id: string;
  name: string;
  mime: string;
  /** As announced in the event. */
  size: number;
  url: string;
}

export class AttachmentTooLargeError extends Error {
  constructor(name: string, size: number, limit: number) {
    const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
    super(
      `"${name}" is larger than ${mb(limit)} (at least ${mb(size)}); send a smaller file or a link to it.`,
    );
    this.name = 'AttachmentTooLargeError';
  }
}

export interface SlackFilesOptions {
  token: string;
  /** The Web API base; its host may serve files too (a self-hosted proxy, the test fake). */
  apiUrl: string;
  maxBytes: number;
  fetch?: typeof fetch;
}

export class SlackFiles {
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: SlackFilesOptions) {
    this.fetchFn = opts.fetch ?? fetch;
  }

  attachment(ref: SlackFileRef): Attachment {
    return {
      name: ref.name,
      mime: ref.mime,
      size: ref.size,
      // The gateway stores this so it can still fetch the file after a restart.
      ref: JSON.stringify(ref),
      fetch: () => this.download(ref),
    };
  }

  fetchStored(stored: string): Promise<Buffer> {
    const ref = JSON.parse(stored) as Partial<SlackFileRef>;
    if (typeof ref?.url !== 'string' || typeof ref.name !== 'string') {
      return Promise.reject(new Error('not a Slack file reference'));
    }
    return this.download(ref as SlackFileRef);
  }

  /** Slack's file hosts, and the API's own host. */
  trusted(url: string): boolean {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    const host = u.hostname;
    if (host === new URL(this.opts.apiUrl).hostname && u.protocol === new URL(this.opts.apiUrl).protocol) {
      return true;
    }
    return (
      u.protocol === 'https:' &&
      (host === 'slack.com' || host.endsWith('.slack.com') || host.endsWith('.slack-edge.com'))
    );
  }

  private async download(ref: SlackFileRef): Promise<Buffer> {
    const max = this.opts.maxBytes;
    if (ref.size > max) throw new AttachmentTooLargeError(ref.name, ref.size, max);
    if (!this.trusted(ref.url)) throw new Error(`"${ref.name}" is not hosted by Slack; not downloaded`);
    const res = await this.fetchFn(ref.url, {
      headers: { authorization: `Bearer ${this.opts.token}` },
    }).catch((err: unknown) => {
      throw new Error(`downloading "${ref.name}" from Slack failed: ${(err as Error).message}`);
    });
    if (!res.ok) throw new Error(`downloading "${ref.name}" from Slack failed: HTTP ${res.status}`);
    if (
      (res.headers.get('content-type') ?? '').startsWith('text/html') &&
      !ref.mime.startsWith('text/html')
    ) {
      await res.body?.cancel();
      throw new Error(
        `Slack did not hand over "${ref.name}" (a sign-in page came back): the app needs the files:read scope`,
      );
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const reader = res.body?.getReader();
    if (!reader) return Buffer.alloc(0);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel();
        throw new AttachmentTooLargeError(ref.name, total, max);
      }
      chunks.push(Buffer.from(value));
    }
    return Buffer.concat(chunks);
  }
}
