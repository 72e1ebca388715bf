// Per-conversation lanes: one run at a time in each conversation, in arrival order, and at most
// `maxConcurrent` runs across all conversations. Conversations take turns for free slots, so one
// busy chat cannot starve the others. Work that throws is reported to `onError`; the lane goes on.

export interface LaneItem {
  id: number;
  conversationKey: string;
}

export class LaneQueue<T extends LaneItem> {
  private readonly lanes = new Map<string, T[]>();
  private readonly active = new Set<string>();
  private readonly ready: string[] = [];
  private readonly readySet = new Set<string>();
  private readonly known = new Set<number>();
  private running = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly maxConcurrent: number,
    private readonly work: (item: T) => Promise<void>,
    /** Gets what `work` threw (the work should settle its own item; this is the last word). */
    private readonly onError: (err: unknown, item: T) => void = () => {},
  ) {}

  /** False when the item is already queued or running. */
  enqueue(item: T): boolean {
    if (this.known.has(item.id) || this.closed) return false;
    this.known.add(item.id);
    const lane = this.lanes.get(item.conversationKey);
    if (lane) lane.push(item);
    else this.lanes.set(item.conversationKey, [item]);
    this.markReady(item.conversationKey);
    this.pump();
    return true;
  }

  has(id: number): boolean {
    return this.known.has(id);
  }

  /** Items waiting (not running). */
  get depth(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.length;
    return n;
  }

  get inFlight(): number {
    return this.running;
  }

  /** Removes and returns the items still waiting in one conversation (for /cancel, /new). */
  drop(conversationKey: string): T[] {
    const lane = this.lanes.get(conversationKey) ?? [];
    this.lanes.delete(conversationKey);
    for (const item of lane) this.known.delete(item.id);
    return lane;
  }

  /** Stop starting new items; running ones finish. */
  close(): void {
    this.closed = true;
  }

  /** Resolves when nothing is running (and, unless closed, nothing is waiting). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.running === 0 && (this.closed || this.depth === 0);
  }

  private markReady(key: string): void {
    if (this.active.has(key) || this.readySet.has(key)) return;
    this.ready.push(key);
    this.readySet.add(key);
  }

  private pump(): void {
    while (!this.closed && this.running < this.maxConcurrent && this.ready.length) {
      const key = this.ready.shift() as string;
      this.readySet.delete(key);
      const lane = this.lanes.get(key);
      const item = lane?.shift();
      if (!item) continue;
      if (lane && lane.length === 0) this.lanes.delete(key);
      this.active.add(key);
      this.running++;
      void this.work(item)
        .catch((err) => this.onError(err, item))
        .finally(() => {
          this.running--;
          this.active.delete(key);
          this.known.delete(item.id);
          if (this.lanes.get(key)?.length) this.markReady(key);
          this.pump();
          if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }
}
