// Approximate USD prices per million tokens, by model family, for the cost shown in `runs show`
// and the daily USD budget. Prices change: these are list prices at the time of writing, not billing.

import type { UsageTotals } from './types.js';

export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Cache writes (5-minute TTL) cost 1.25× input; cache reads 0.1× input. */
const CACHE_WRITE_FACTOR = 1.25;
const CACHE_READ_FACTOR = 0.1;

/** First match wins; ids look like `claude-sonnet-4-5`, `claude-3-5-haiku-20241022`. */
const PRICE_TABLE: { match: RegExp; price: Price }[] = [
  { match: /opus-4-[5-9]|opus-[5-9]/, price: { inputPerMTok: 5, outputPerMTok: 25 } },
  { match: /opus/, price: { inputPerMTok: 15, outputPerMTok: 75 } },
  { match: /sonnet/, price: { inputPerMTok: 3, outputPerMTok: 15 } },
  { match: /haiku-4|haiku-[5-9]/, price: { inputPerMTok: 1, outputPerMTok: 5 } },
  { match: /3-5-haiku|haiku-3-5/, price: { inputPerMTok: 0.8, outputPerMTok: 4 } },
  { match: /haiku/, price: { inputPerMTok: 0.25, outputPerMTok: 1.25 } },
];

/** Unknown models (proxies, compatible servers) are priced like Sonnet so budgets still bite. */
const FALLBACK: Price = { inputPerMTok: 3, outputPerMTok: 15 };

export function priceFor(model: string): Price {
  return PRICE_TABLE.find((row) => row.match.test(model))?.price ?? FALLBACK;
}

export function costUsd(model: string, usage: Omit<UsageTotals, 'costUsd'>): number {
  const p = priceFor(model);
  const input =
    usage.inputTokens +
    usage.cacheWriteTokens * CACHE_WRITE_FACTOR +
    usage.cacheReadTokens * CACHE_READ_FACTOR;
  return (input * p.inputPerMTok + usage.outputTokens * p.outputPerMTok) / 1_000_000;
}
