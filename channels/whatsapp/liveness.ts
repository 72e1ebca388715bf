// A watchdog on the WhatsApp transport: Baileys pings every 30 s and every frame from WhatsApp counts
// as activity, so a socket with no incoming frame for `timeoutMs` is dead even if it looks open (a
// half-open TCP connection after a network change). Silence from users never trips it.

export class LivenessWatchdog {
  private lastActivity: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly onStale: (silentForMs: number) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.lastActivity = now();
  }

  /** A frame arrived. */
  touch(): void {
    this.lastActivity = this.now();
  }

  /** Checks a few times per timeout window until stop(); calls onStale once, then stops. */
  start(): void {
    this.stop();
    this.touch();
    this.timer = setInterval(() => this.check(), Math.max(10, Math.min(this.timeoutMs / 4, 15_000)));
    this.timer.unref();
  }

  /** True (and onStale called) when the transport has been silent for longer than the timeout. */
  check(): boolean {
    const silent = this.now() - this.lastActivity;
    if (silent <= this.timeoutMs) return false;
    this.stop();
    this.onStale(silent);
    return true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
