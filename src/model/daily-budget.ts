// The per-sender daily budget (limits.dailyTokens / limits.dailyUsd, per UTC day; 0 = unlimited).
// Checked before each model call, so a run stops at the turn that would go over, not mid-stream.

import { BudgetExceededError } from './errors.js';
import type { UsageTotals } from './types.js';
import { type UsageRepository, utcDay } from './usage-repository.js';

export interface BudgetLimits {
  dailyTokens: number;
  dailyUsd: number;
}

/**
 * Tokens counted against `dailyTokens`: input, output and cache writes. Cache reads are left out
 * (a long tool loop re-reads its whole context every turn at a tenth of the price); `dailyUsd` covers them.
 */
export function budgetTokens(u: UsageTotals): number {
  return u.inputTokens + u.outputTokens + u.cacheWriteTokens;
}

export class DailyBudget {
  constructor(
    private readonly usage: UsageRepository,
    private readonly limits: BudgetLimits,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Throws BudgetExceededError when the sender has nothing left today. */
  check(senderKey: string): void {
    if (!this.limits.dailyTokens && !this.limits.dailyUsd) return;
    const day = utcDay(this.now());
    const used = this.usage.dayTotals(senderKey, day);
    const tokens = budgetTokens(used);
    if (this.limits.dailyTokens && tokens >= this.limits.dailyTokens) {
      throw new BudgetExceededError('tokens', tokens, this.limits.dailyTokens, day);
    }
    if (this.limits.dailyUsd && used.costUsd >= this.limits.dailyUsd) {
      throw new BudgetExceededError('usd', used.costUsd, this.limits.dailyUsd, day);
    }
  }
}
