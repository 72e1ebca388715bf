// Builds the gateway's ModelClient from config. Returns undefined when no API key is configured:
// agents then answer with modelUnavailableReply() instead of failing.

import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { AnthropicModelClient } from './anthropic-model-client.js';
import { DailyBudget } from './daily-budget.js';
import type { ModelClient } from './types.js';
import type { UsageRepository } from './usage-repository.js';

export type ModelConfig = Pick<Config, 'anthropic' | 'limits'>;

export interface ModelClientDeps {
  /** Records usage and backs the daily budget; without it neither happens. */
  usage?: UsageRepository;
  log: Logger;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => Date;
}

export function createModelClient(config: ModelConfig, deps: ModelClientDeps): ModelClient | undefined {
  const a = config.anthropic;
  if (!a.apiKey) return undefined;
  const budget = deps.usage
    ? new DailyBudget(
        deps.usage,
        { dailyTokens: config.limits.dailyTokens, dailyUsd: config.limits.dailyUsd },
        deps.now,
      )
    : undefined;
  return new AnthropicModelClient({
    apiKey: a.apiKey,
    ...(a.baseUrl ? { baseURL: a.baseUrl } : {}),
    model: a.model,
    maxTokens: a.maxTokens,
    retry: { maxRetries: a.maxRetries, maxWaitMs: a.maxRetryWaitSec * 1000 },
    ...(deps.usage ? { usage: deps.usage } : {}),
    ...(budget ? { budget } : {}),
    log: deps.log.child({ mod: 'model' }),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
}
