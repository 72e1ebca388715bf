// Exponential backoff, the one formula every retry loop uses (outbox deliveries, model calls,
// channel reconnects): initialMs doubling per attempt up to maxMs, with optional jitter so many
// clients failing together do not retry in lockstep.

export interface BackoffOptions {
  /** The first delay, in ms. */
  initialMs: number;
  /** No delay exceeds this, in ms. */
  maxMs: number;
  /**
   * Fraction of the delay that is random, 0..1: the delay lies in [d·(1-jitter), d]. 0 (default) is
   * plain doubling; 0.5 is "equal jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter").
   */
  jitter?: number;
}

/** The delay in ms after `failures` failures in a row (1 = the first retry); rounded to whole ms. */
export function backoffDelay(
  opts: BackoffOptions,
  failures: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(Math.max(0, failures - 1), 30));
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0));
  return Math.round(exp * (1 - jitter + random() * jitter));
}

/** A running backoff for a loop: next() after each failure, reset() after a success. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly opts: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    this.failures = Math.min(this.failures + 1, 31);
    return backoffDelay(this.opts, this.failures, this.random);
  }

  reset(): void {
    this.failures = 0;
  }
}
