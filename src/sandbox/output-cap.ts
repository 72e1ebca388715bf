// Bounded collectors for command output: a sandbox can print gigabytes, the gateway keeps at most a
// cap (1 MiB by default) and says so with a visible marker. Bytes are decoded once, at the end.

export const DEFAULT_OUTPUT_CAP = 1024 * 1024;
export const TRUNCATED = '\n[… output truncated]\n';

export function truncationMarker(droppedBytes: number): string {
  return `\n[… output truncated: ${droppedBytes} more bytes not shown]\n`;
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
    const body = Buffer.concat(this.chunks).toString('utf8');
    if (this.dropped > 0) return body + truncationMarker(this.dropped);
    if (this.flagged) return body + TRUNCATED;
    return body;
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
    const body = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped > 0 ? `[… ${this.dropped} earlier bytes not kept]\n${body}` : body;
  }
}

/** Caps an already-decoded string (text from a remote API). */
export function capText(text: string, cap = DEFAULT_OUTPUT_CAP): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= cap) return text;
  const kept = Buffer.from(text).subarray(0, cap).toString('utf8');
  return kept + truncationMarker(bytes - Buffer.byteLength(kept));
}
