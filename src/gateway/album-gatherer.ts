// Several files sent as one album arrive as one message each (Telegram: a shared media_group_id).
// Each is persisted and admitted on its own (durable, deduped); queued album parts then wait here a
// short, bounded time for their siblings and are gathered into the first one — all files, every
// caption — so the album is one run and one answer. A crash mid-wait leaves them queued: the next
// start gathers them again.

import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { AttachmentSource } from './attachment-source.js';
import type { CommandRegistry } from './commands.js';
import { type QueuedMessage, type RunTarget, route } from './route.js';

/** Wait this long after the latest part for another one (Telegram sends an album's parts together). */
export const ALBUM_QUIET_MS = 1000;
/** Never hold an album longer than this after its first part. */
export const ALBUM_MAX_WAIT_MS = 5000;

export interface AlbumGathererDeps {
  store: Store;
  attachments: AttachmentSource;
  commands: Pick<CommandRegistry, 'get'>;
  /** Puts the gathered message (or a part that could not be gathered) in its lane. */
  enqueue(msg: QueuedMessage): void;
  log: Logger;
  quietMs?: number;
  maxWaitMs?: number;
}

interface Pending {
  parts: Map<number, QueuedMessage>;
  firstAt: number;
  timer: NodeJS.Timeout;
}

export class AlbumGatherer {
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(private readonly deps: AlbumGathererDeps) {}

  /** True when `msg` is part of an album and waits here; false when it should go to its lane now. */
  offer(msg: QueuedMessage): boolean {
    const album = msg.context?.album;
    if (album === undefined || this.closed) return false;
    const key = `${msg.conversationKey}\n${album}`;
    const quiet = this.deps.quietMs ?? ALBUM_QUIET_MS;
    const max = this.deps.maxWaitMs ?? ALBUM_MAX_WAIT_MS;
    const now = Date.now();
    const group = this.pending.get(key);
    if (group) clearTimeout(group.timer);
    const firstAt = group?.firstAt ?? now;
    const parts = group?.parts ?? new Map<number, QueuedMessage>();
    parts.set(msg.id, msg);
    const wait = Math.max(0, Math.min(quiet, firstAt + max - now));
    const timer = setTimeout(() => this.flush(key), wait);
    timer.unref();
    this.pending.set(key, { parts, firstAt, timer });
    return true;
  }

  /** Stops waiting (shutdown); the parts stay queued in the store and are gathered at the next start. */
  close(): void {
    this.closed = true;
    for (const group of this.pending.values()) clearTimeout(group.timer);
    this.pending.clear();
  }

  private flush(key: string): void {
    const group = this.pending.get(key);
    this.pending.delete(key);
    if (!group || this.closed) return;
    const parts = [...group.parts.values()].sort((a, b) => a.id - b.id);
    try {
      const gathered = parts.length > 1 ? this.gather(parts) : parts[0];
      if (gathered) this.deps.enqueue(gathered);
      else for (const part of parts) this.deps.enqueue(part);
    } catch (err) {
      this.deps.log.error({ err }, 'could not gather an album; its parts run one by one');
      for (const part of parts) this.deps.enqueue(part);
    }
  }

  /** One transaction: the first part takes every file and caption, the others are done. */
  private gather(parts: QueuedMessage[]): QueuedMessage | undefined {
    const { store } = this.deps;
    const [first] = parts as [QueuedMessage, ...QueuedMessage[]];
    const text = parts
      .map((p) => p.text.trim())
      .filter(Boolean)
      .join('\n\n');
    const attachments = parts.flatMap((p) => p.attachments);
    const merged = store.db.transaction(() => {
      if (!store.inbound.replaceContent(first.id, text, attachments)) return false;
      for (const p of parts.slice(1)) {
        store.inbound.transition(p.id, ['queued'], 'done', `gathered into message ${first.id} (one album)`);
      }
      return true;
    })();
    if (!merged) return undefined;
    this.deps.attachments.gather(
      first.id,
      parts.map((p) => ({ id: p.id, count: p.attachments.length })),
    );
    this.deps.log.debug({ inbound: first.id, parts: parts.length }, 'album gathered into one message');
    return { ...first, text, attachments, target: text === first.text ? first.target : this.target(text) };
  }

  /** The gathered captions decide what runs; anything but a lane command goes to the agent. */
  private target(text: string): RunTarget {
    const routed = route(text, this.deps.commands);
    return routed.kind === 'command' && routed.command.mode === 'lane' ? routed : { kind: 'agent', text };
  }
}
