// Per-conversation lanes: one run at a time in each conversation, in arrival order, and a cap per
// pool across conversations (agent runs, sandbox commands), so slow runs never hold up quick commands.
// Conversations take turns for free slots. Work that throws is reported to `onError`; the lane goes on.

export interface LaneItem {
  id: number;
  conversationKey: string;
}

/**
 * `runs`: agent runs, minutes long (limits.maxConcurrentRuns). `commands`: sandbox commands, bounded
 * by the exec timeout (limits.maxConcurrentCommands). A full pool only holds up its own kind.
 */
export type LanePool = 'runs' | 'commands';

export class LaneQueue<T extends LaneItem> {
  private readonly lanes = new Map<string, T[]>();
  private readonly active = new Set<string>();
  private readonly ready: string[] = [];
  private readonly readySet = new Set<string>();
  private readonly known = new Set<number>();
  private running = 0;
  private readonly inPool: Record<LanePool, number> = { runs: 0, commands: 0 };
  private readonly caps: Record<LanePool, number>;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    /** One cap for everything (a number), or one per pool. */
    caps: number | Record<LanePool, number>,
    private readonly work: (item: T) => Promise<void>,
    /** Gets what `work` threw (the work should settle its own item; this is the last word). */
    private readonly onError: (err: unknown, item: T) => void = () => {},
    /** Which pool an item runs in; default `runs`. */
    private readonly poolOf: (item: T) => LanePool = () => 'runs',
  ) {
    this.caps = typeof caps === 'number' ? { runs: caps, commands: caps } : caps;
  }

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

  /** Starts, in turn order, each ready conversation whose next item's pool has room; skips the rest. */
  private pump(): void {
    for (let i = 0; !this.closed && i < this.ready.length; ) {
      const key = this.ready[i] as string;
      const lane = this.lanes.get(key);
      const item = lane?.[0];
      if (!lane || !item) {
        this.ready.splice(i, 1);
        this.readySet.delete(key);
        continue;
      }
      const pool = this.poolOf(item);
      if (this.inPool[pool] >= this.caps[pool]) {
        i++;
        continue;
      }
      this.ready.splice(i, 1);
      this.readySet.delete(key);
      lane.shift();
      if (lane.length === 0) this.lanes.delete(key);
      this.start(key, item, pool);
    }
  }

  private start(key: string, item: T, pool: LanePool): void {
    this.active.add(key);
    this.running++;
    this.inPool[pool]++;
    void this.work(item)
      .catch((err) => this.onError(err, item))
      .finally(() => {
        this.running--;
        this.inPool[pool]--;
        this.active.delete(key);
        this.known.delete(item.id);
        if (this.lanes.get(key)?.length) this.markReady(key);
        this.pump();
        if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
      });
  }
}
