// Server-sent event streams of signed-in devices. Each stream re-checks its session every second or
// so (a revocation from the CLI happens in another process) and is closed at once when the dashboard
// revokes a device or a session ends here. A stream whose client went away is dropped.

import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

export interface StreamEvent {
  event: string;
  data: unknown;
  id?: string;
}

interface OpenStream {
  sessionHash: string;
  deviceId: string;
  close(): void;
}

const PING_MS = 15_000;

export class EventStreams {
  private readonly open = new Set<OpenStream>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessionAlive: (idHash: string) => boolean,
    private readonly checkMs = 1000,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /**
   * Streams `backlog` then whatever `subscribe` pushes, until the client leaves or the session ends.
   * `subscribe` returns its unsubscribe function.
   */
  stream(
    c: Context,
    who: { sessionHash: string; deviceId: string },
    subscribe: (push: (e: StreamEvent) => void) => () => void,
    backlog: StreamEvent[] = [],
  ): Response {
    return streamSSE(c, async (sse) => {
      const queue: StreamEvent[] = [...backlog];
      let wake: (() => void) | undefined;
      let closed = false;
      const entry: OpenStream = {
        ...who,
        close: () => {
          closed = true;
          wake?.();
        },
      };
      const unsubscribe = subscribe((e) => {
        queue.push(e);
        wake?.();
      });
      sse.onAbort(() => entry.close());
      this.add(entry);
      try {
        await sse.writeSSE({ event: 'ready', data: '{}' });
        while (!closed && !sse.aborted) {
          const next = queue.shift();
          if (next) {
            await sse.writeSSE({
              event: next.event,
              data: JSON.stringify(next.data),
              ...(next.id ? { id: next.id } : {}),
            });
            continue;
          }
          const pinged = await new Promise<boolean>((resolve) => {
            wake = () => resolve(false);
            setTimeout(() => resolve(true), PING_MS).unref();
          });
          wake = undefined;
          if (pinged && !closed) await sse.writeSSE({ event: 'ping', data: '{}' });
        }
        if (closed && !sse.aborted) await sse.writeSSE({ event: 'end', data: '{"reason":"session ended"}' });
      } finally {
        unsubscribe();
        this.remove(entry);
      }
    });
  }

  closeDevice(deviceId: string): void {
    for (const s of this.open) if (s.deviceId === deviceId) s.close();
  }

  closeSession(sessionHash: string): void {
    for (const s of this.open) if (s.sessionHash === sessionHash) s.close();
  }

  closeAll(): void {
    for (const s of this.open) s.close();
  }

  private add(entry: OpenStream): void {
    this.open.add(entry);
    if (!this.timer) {
      this.timer = setInterval(() => this.check(), this.checkMs);
      this.timer.unref();
    }
  }

  private remove(entry: OpenStream): void {
    this.open.delete(entry);
    if (this.open.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private check(): void {
    const verdicts = new Map<string, boolean>();
    for (const s of this.open) {
      let alive = verdicts.get(s.sessionHash);
      if (alive === undefined) {
        try {
          alive = this.sessionAlive(s.sessionHash);
        } catch {
          alive = true; // a busy database is not a revocation; check again next tick
        }
        verdicts.set(s.sessionHash, alive);
      }
      if (!alive) s.close();
    }
  }
}
