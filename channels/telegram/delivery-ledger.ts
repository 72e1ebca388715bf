// Remembers, per outbox idempotency key, which parts of a reply were already posted and with which
// message ids, so a retried deliver() (after a 429 on the third image, or a crash after posting)
// sends only what is missing. Kept small (recent keys only) and persisted through the channel's kv.
// Telegram has no idempotency of its own: a send whose response was lost cannot be detected here.

import type { Logger } from 'pino';
import type { DeliveryReceipt } from '../channel.js';

export interface KeyValue {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

interface Entry {
  at: number;
  /** Part index → message ids it produced. */
  parts: Record<string, string[]>;
  done?: boolean;
}

const KV_KEY = 'deliveries';

export class DeliveryLedger {
  private entries: Map<string, Entry> | undefined;

  constructor(
    private readonly kv: KeyValue,
    private readonly log: Logger,
    private readonly opts: { maxEntries: number; ttlMs: number; now: () => number } = {
      maxEntries: 500,
      ttlMs: 48 * 3600_000,
      now: Date.now,
    },
  ) {}

  /** The receipt of a delivery that already completed, if any. */
  completed(key: string): DeliveryReceipt | undefined {
    const e = this.load().get(key);
    if (!e?.done) return undefined;
    return {
      messageIds: Object.keys(e.parts)
        .sort((a, b) => Number(a) - Number(b))
        .flatMap((p) => e.parts[p]!),
    };
  }

  /** Message ids of a part posted by an earlier attempt. */
  part(key: string, index: number): string[] | undefined {
    return this.load().get(key)?.parts[String(index)];
  }

  recordPart(key: string, index: number, messageIds: string[]): void {
    const map = this.load();
    const e = map.get(key) ?? { at: this.opts.now(), parts: {} };
    e.parts[String(index)] = messageIds;
    map.delete(key);
    map.set(key, e);
    this.save();
  }

  finish(key: string): void {
    const e = this.load().get(key);
    if (!e) return;
    e.done = true;
    this.save();
  }

  private load(): Map<string, Entry> {
    if (this.entries) return this.entries;
    this.entries = new Map();
    try {
      const raw = this.kv.get(KV_KEY);
      if (raw) {
        for (const [k, v] of Object.entries(JSON.parse(raw) as Record<string, Entry>)) {
          if (v && typeof v.at === 'number' && v.parts && typeof v.parts === 'object') this.entries.set(k, v);
        }
      }
    } catch (err) {
      this.log.warn({ err }, 'telegram: delivery ledger unreadable, starting empty');
    }
    return this.entries;
  }

  private save(): void {
    const map = this.load();
    const cutoff = this.opts.now() - this.opts.ttlMs;
    for (const [k, e] of map) {
      if (map.size > this.opts.maxEntries || e.at < cutoff) map.delete(k);
    }
    try {
      this.kv.set(KV_KEY, JSON.stringify(Object.fromEntries(map)));
    } catch (err) {
      // Losing the ledger risks a duplicate on retry; failing the send would make one certain.
      this.log.warn({ err }, 'telegram: could not persist delivery ledger');
    }
  }
}
