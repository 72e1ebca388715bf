// The model layer's public surface, for the gateway assembly and the agents.

export { AnthropicModelClient, type AnthropicModelClientOptions } from './anthropic-model-client.js';
export { createModelClient, type ModelClientDeps, type ModelConfig } from './create-model-client.js';
export { type BudgetLimits, budgetTokens, DailyBudget } from './daily-budget.js';
export {
  BudgetExceededError,
  ModelAbortedError,
  ModelError,
  ModelRequestError,
  ModelRetriesExhaustedError,
  ModelUnavailableError,
  modelErrorReply,
  modelUnavailableReply,
} from './errors.js';
export { costUsd, type Price, priceFor } from './pricing.js';
export { defaultRetryPolicy, type RetryPolicy } from './retry-policy.js';
export * from './types.js';
export { type RunUsage, type UsageRecord, UsageRepository, utcDay } from './usage-repository.js';
