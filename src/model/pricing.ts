// Approximate USD prices per million tokens, by model family, for the cost shown in `runs show` and
// the daily USD budget. List prices from platform.claude.com/docs/en/about-claude/pricing (late 2026);
// they change, and tiers/discounts are ignored: treat the result as an estimate, not a bill.

import type { UsageTotals } from './types.js';

export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
  /** 5-minute cache writes. */
  cacheWritePerMTok: number;
  cacheReadPerMTok: number;
}

/** The usual ratios: cache writes 1.25× input, cache reads 0.1× input. */
function price(input: number, output: number, cacheRead = input * 0.1): Price {
  return {
    inputPerMTok: input,
    outputPerMTok: output,
    cacheWritePerMTok: input * 1.25,
    cacheReadPerMTok: cacheRead,
  };
}

/** First match wins; ids look like `claude-sonnet-4-5`, `claude-opus-5-5`, `claude-3-5-haiku-20241022`. */
const PRICE_TABLE: { match: RegExp; price: Price }[] = [
  { match: /(fable|mythos)-5-[1-9](?!\d)/, price: price(10, 50, 0.25) },
  { match: /fable|mythos/, price: price(10, 50) },
  { match: /opus-5-[5-9](?!\d)|opus-[6-9]/, price: price(4, 20, 0.2) },
  { match: /opus-5|opus-4-[5-9](?!\d)/, price: price(5, 25) },
  { match: /opus/, price: price(15, 75) },
  { match: /sonnet-[5-9]/, price: price(2, 10) },
  { match: /sonnet/, price: price(3, 15) },
  { match: /haiku-[5-9]/, price: price(0.1, 0.5) },
  { match: /haiku-4/, price: price(1, 5) },
  { match: /3-5-haiku|haiku-3-5/, price: price(0.8, 4) },
  { match: /haiku/, price: price(0.25, 1.25) },
];

/** Unknown models (proxies, compatible servers) are priced like Sonnet 4.x so budgets still bite. */
const FALLBACK = price(3, 15);

export function priceFor(model: string): Price {
  return PRICE_TABLE.find((row) => row.match.test(model))?.price ?? FALLBACK;
}

export function costUsd(model: string, usage: Omit<UsageTotals, 'costUsd'>): number {
  const p = priceFor(model);
  return (
    (usage.inputTokens * p.inputPerMTok +
      usage.cacheWriteTokens * p.cacheWritePerMTok +
      usage.cacheReadTokens * p.cacheReadPerMTok +
      usage.outputTokens * p.outputPerMTok) /
    1_000_000
  );
}
