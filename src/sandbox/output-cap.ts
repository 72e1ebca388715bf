// Bounded collectors for command output: a sandbox can print gigabytes, the gateway keeps at most a
// cap (1 MiB by default) and says so with a visible marker. Bytes are decoded once, at the end, and
// a cut never splits a UTF-8 sequence. The marker states the dropped amount only when it is known.

import { SANDBOX_DEFAULTS } from '../config/defaults.js';
import { cutUtf8, trimPartialUtf8, trimPartialUtf8Start } from '../text/cut.js';
import { humanSize } from './chat-format.js';

export const DEFAULT_OUTPUT_CAP = SANDBOX_DEFAULTS.outputMaxBytes;
export const TRUNCATED = '\n[… output truncated]\n';

export function truncationMarker(droppedBytes: number): string {
  return `\n[… output truncated: ${humanSize(droppedBytes)} more not shown]\n`;
}

/** When the producer dropped bytes we never saw (the sandbox supervisor stops sending at the cap). */
export function truncatedAtMarker(keptBytes: number): string {
  return `\n[… output truncated after ${humanSize(keptBytes)}; the rest was not kept]\n`;
}

/** Keeps the first `cap` bytes, counts the rest. */
export class CappedBuffer {
  private chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;
  private flagged = false;

  constructor(private readonly cap = DEFAULT_OUTPUT_CAP) {}

  push(chunk: Buffer): void {
    const room = this.cap - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    if (chunk.length > room) this.dropped += chunk.length - Math.max(room, 0);
  }

  /** Mark as truncated when the producer dropped bytes we never saw. */
  markTruncated(): void {
    this.flagged = true;
  }

  get truncated(): boolean {
    return this.dropped > 0 || this.flagged;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    if (!this.truncated) return all.toString('utf8');
    const kept = trimPartialUtf8(all).toString('utf8');
    // A producer that cut the stream itself (and may have sent a byte past the cap to say so) knows
    // how much it dropped; we do not, so no count is better than a wrong one.
    if (this.flagged) return kept + truncatedAtMarker(this.kept);
    return kept + truncationMarker(this.dropped + (all.length - Buffer.byteLength(kept)));
  }
}

/** Keeps the last `cap` bytes: logs of a long-running process. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly cap = DEFAULT_OUTPUT_CAP) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.cap && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.size - this.cap;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.dropped += excess;
      }
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    if (this.dropped === 0) return all.toString('utf8');
    const body = trimPartialUtf8Start(all);
    return `[… ${humanSize(this.dropped + all.length - body.length)} of earlier output not kept]\n${body.toString('utf8')}`;
  }
}

/** Caps an already-decoded string (text from a remote API). */
export function capText(text: string, cap = DEFAULT_OUTPUT_CAP): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= cap) return text;
  const kept = cutUtf8(text, cap);
  return kept + truncationMarker(bytes - Buffer.byteLength(kept));
}
