// ModelClient over @anthropic-ai/sdk: streamed turns, our own bounded retries (the SDK's are off so
// the policy is one place), prompt caching, usage + cost recorded per call, budget checked first.
// The SDK (≈270 modules) is imported on the first call, so a gateway that never calls the model
// never loads it.

import type Anthropic from '@anthropic-ai/sdk';
import type { Logger } from 'pino';
import { sleep } from '../timing/clock.js';
import type { DailyBudget } from './daily-budget.js';
import { ModelAbortedError, ModelRequestError, ModelRetriesExhaustedError } from './errors.js';
import { costUsd } from './pricing.js';
import { withCacheControl } from './prompt-cache.js';
import {
  classifyError,
  defaultRetryPolicy,
  type RetryPolicy,
  retryDelay,
  type SdkErrors,
} from './retry-policy.js';
import type { ModelCall, ModelClient, ModelRequest, ModelTurn, UsageTotals } from './types.js';
import { type UsageRepository, utcDay } from './usage-repository.js';

export interface AnthropicModelClientOptions {
  apiKey: string;
  /** Anthropic-compatible servers and proxies; SDK default when unset. */
  baseURL?: string;
  model: string;
  maxTokens: number;
  retry?: Partial<RetryPolicy>;
  usage?: UsageRepository;
  budget?: DailyBudget;
  log: Logger;
  /** Per-request timeout (SDK default: 10 minutes). */
  timeoutMs?: number;
  /** Injected for tests: backoff waits without real time passing. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => Date;
  random?: () => number;
}

export class AnthropicModelClient implements ModelClient {
  readonly model: string;
  private sdk?: Promise<{ client: Anthropic; errors: SdkErrors }>;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(private readonly opts: AnthropicModelClientOptions) {
    this.model = opts.model;
    this.policy = { ...defaultRetryPolicy, ...opts.retry };
    this.sleep = opts.sleep ?? sleep;
    this.now = opts.now ?? (() => new Date());
    this.random = opts.random ?? Math.random;
  }

  private loadSdk(): Promise<{ client: Anthropic; errors: SdkErrors }> {
    this.sdk ??= import('@anthropic-ai/sdk').then((mod) => ({
      // The key is passed explicitly so the SDK never falls back to other credentials in the environment.
      client: new mod.default({
        apiKey: this.opts.apiKey,
        baseURL: this.opts.baseURL ?? 'https://api.anthropic.com',
        maxRetries: 0,
        ...(this.opts.timeoutMs ? { timeout: this.opts.timeoutMs } : {}),
        logLevel: 'off',
      }),
      errors: { APIError: mod.APIError, APIUserAbortError: mod.APIUserAbortError },
    }));
    return this.sdk;
  }

  async turn(request: ModelRequest, call: ModelCall): Promise<ModelTurn> {
    if (call.signal?.aborted) throw new ModelAbortedError();
    this.opts.budget?.check(call.senderKey);
    const cached = withCacheControl(request.system, request.tools, request.messages);
    const params: Anthropic.MessageStreamParams = {
      model: this.model,
      max_tokens: request.maxTokens ?? this.opts.maxTokens,
      system: cached.system,
      messages: cached.messages,
      ...(cached.tools ? { tools: cached.tools } : {}),
    };

    const { client, errors } = await this.loadSdk();
    for (let attempt = 1; ; attempt++) {
      try {
        const message = await this.streamOnce(client, params, call);
        const usage = this.usageOf(message);
        this.record(call, usage);
        return { message, usage };
      } catch (err) {
        if (call.signal?.aborted || err instanceof errors.APIUserAbortError) throw new ModelAbortedError();
        const decision = classifyError(err, this.now().getTime(), errors);
        if (!decision.retryable) {
          this.opts.log.warn({ status: decision.status, model: this.model }, 'model request failed');
          throw new ModelRequestError(decision.status, decision.message);
        }
        const tooLong = decision.retryAfterMs !== undefined && decision.retryAfterMs > this.policy.maxWaitMs;
        if (attempt > this.policy.maxRetries || tooLong) {
          this.opts.log.warn({ status: decision.status, attempts: attempt }, 'model retries exhausted');
          throw new ModelRetriesExhaustedError(
            decision.status,
            attempt,
            decision.message,
            decision.retryAfterMs,
          );
        }
        const delayMs = Math.min(
          retryDelay(this.policy, attempt, decision, this.random),
          this.policy.maxWaitMs,
        );
        const reason = decision.status ? `HTTP ${decision.status}` : decision.message;
        this.opts.log.info({ status: decision.status, attempt, delayMs }, 'model call failed, retrying');
        call.onRetry?.({ attempt, delayMs, reason });
        try {
          await this.sleep(delayMs, call.signal);
        } catch {
          throw new ModelAbortedError();
        }
      }
    }
  }

  private async streamOnce(
    client: Anthropic,
    params: Anthropic.MessageStreamParams,
    call: ModelCall,
  ): Promise<Anthropic.Message> {
    const stream = client.messages.stream(params, call.signal ? { signal: call.signal } : undefined);
    if (call.onText) {
      const onText = call.onText;
      stream.on('text', (delta) => onText(delta));
    }
    return await stream.finalMessage();
  }

  private usageOf(message: Anthropic.Message): UsageTotals {
    const u = message.usage;
    const counts = {
      inputTokens: u.input_tokens ?? 0,
      outputTokens: u.output_tokens ?? 0,
      cacheReadTokens: u.cache_read_input_tokens ?? 0,
      cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
    };
    return { ...counts, costUsd: costUsd(message.model || this.model, counts) };
  }

  private record(call: ModelCall, usage: UsageTotals): void {
    if (!this.opts.usage) return;
    const at = this.now();
    this.opts.usage.record({
      ...usage,
      runId: call.runId,
      senderKey: call.senderKey,
      day: utcDay(at),
      model: this.model,
      at,
    });
  }
}
