// Turns a reply (text, images, files, links) into outbox rows: text chunked fence-aware to the
// channel's limit, images and files stored as artifacts so a retry after a restart still has them.
// Call it inside the transaction that finishes the run, so a reply is recorded exactly once.

import type { DeliveryPayload } from '../store/repos/deliveries-repo.js';
import type { Store } from '../store/store.js';
import { cutText, wellFormed } from '../text/cut.js';
import { chunkText } from './chunk.js';
import type { CommandReply } from './commands.js';

export interface ReplyTarget {
  channel: string;
  conversationKey: string;
  route: Record<string, string | number | boolean | null>;
  inboundId?: number | null;
  runId?: number | null;
}

export interface ReplyOptions {
  textMax: number;
  /** Status message to replace with the first text chunk (progress → final answer). */
  replaces?: { messageIds: string[] };
}

const DEFAULT_TEXT_MAX = 4000;

export function enqueueReply(
  store: Store,
  target: ReplyTarget,
  reply: CommandReply,
  opts: ReplyOptions,
): number[] {
  const ids: number[] = [];
  const add = (payload: DeliveryPayload) => ids.push(store.deliveries.enqueue({ ...target, payload }));
  const runId = target.runId ?? null;
  let replaces = opts.replaces;
  // Text from agents and sandboxes may carry a lone surrogate (a cut made elsewhere): platforms
  // refuse such text outright, so it is made well-formed before it is stored.
  const chunks = reply.text ? chunkText(wellFormed(reply.text), opts.textMax || DEFAULT_TEXT_MAX) : [];
  const links = reply.links?.length ? reply.links : undefined;
  for (const [i, text] of chunks.entries()) {
    const last = i === chunks.length - 1;
    add({ text, ...(replaces ? { replaces } : {}), ...(last && links ? { links } : {}) });
    replaces = undefined;
  }
  for (const image of reply.images ?? []) {
    const id = store.artifacts.add({
      runId,
      kind: 'image',
      name: `${cutText(image.caption ?? 'chart', 60).replace(/[^\w.-]+/g, '_')}.png`,
      mime: 'image/png',
      caption: image.caption,
      data: image.png,
    });
    add({ imageIds: [id] });
  }
  for (const file of reply.files ?? []) {
    const id = store.artifacts.add({
      runId,
      kind: 'file',
      name: file.name,
      mime: 'application/octet-stream',
      data: file.data,
    });
    add({ fileIds: [id] });
  }
  if (!chunks.length && links) add({ links, text: links.map((l) => l.url).join('\n') });
  // A status message that no text replaced still says "working…": settle it.
  if (replaces) add({ text: ids.length ? '✓ done' : '✓ done (no output)', replaces });
  return ids;
}
