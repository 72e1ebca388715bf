// Model failures as typed errors, and the chat reply each one turns into.
// The gateway (or the agent) calls modelErrorReply(err); an unknown error yields undefined.

export abstract class ModelError extends Error {
  abstract readonly code: string;
}

/** No API key configured: agents cannot run, /sh and /py still can. */
export class ModelUnavailableError extends ModelError {
  readonly code = 'model_unavailable';
  constructor() {
    super('No Anthropic API key is configured');
  }
}

/** 429 / 5xx / 529 kept coming back after every retry, or the server asked us to wait too long. */
export class ModelRetriesExhaustedError extends ModelError {
  readonly code = 'model_retries_exhausted';
  constructor(
    readonly status: number | undefined,
    readonly attempts: number,
    readonly lastMessage: string,
    /** What the server last asked us to wait, when it did. */
    readonly retryAfterMs?: number,
  ) {
    super(`Model API still failing after ${attempts} attempt(s): ${lastMessage}`);
  }
}

/** A non-retryable API error (bad key, invalid request, …). */
export class ModelRequestError extends ModelError {
  readonly code = 'model_request_failed';
  constructor(
    readonly status: number | undefined,
    readonly apiMessage: string,
  ) {
    super(`Model API error${status ? ` ${status}` : ''}: ${apiMessage}`);
  }
}

export class ModelAbortedError extends ModelError {
  readonly code = 'model_aborted';
  constructor() {
    super('Model call aborted');
  }
}

export class BudgetExceededError extends ModelError {
  readonly code = 'budget_exceeded';
  constructor(
    readonly kind: 'tokens' | 'usd',
    readonly used: number,
    readonly limit: number,
    readonly day: string,
  ) {
    super(`Daily ${kind} budget exceeded for ${day}: ${used} of ${limit}`);
  }
}

export function modelUnavailableReply(): string {
  return [
    'No model is configured, so agents cannot run yet.',
    'Add an Anthropic API key on the gateway machine:',
    '  sandgate config set anthropic.apiKey sk-ant-…',
    'or set ANTHROPIC_API_KEY in the gateway’s environment.',
    '/sh and /py keep working without it.',
  ].join('\n');
}

function formatWait(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s >= 120 ? `${Math.ceil(s / 60)} min` : `${s} s`;
}

/** The chat reply for a model failure, or undefined when `err` is not one of ours. */
export function modelErrorReply(err: unknown): string | undefined {
  if (err instanceof ModelUnavailableError) return modelUnavailableReply();
  if (err instanceof BudgetExceededError) {
    const usedText =
      err.kind === 'usd'
        ? `$${err.used.toFixed(2)} of $${err.limit.toFixed(2)}`
        : `${err.used} of ${err.limit} tokens`;
    const key = err.kind === 'usd' ? 'limits.dailyUsd' : 'limits.dailyTokens';
    return `Your daily model budget is used up (${usedText} on ${err.day}, UTC). It resets at 00:00 UTC; the owner can raise it with \`sandgate config set ${key} …\`.`;
  }
  if (err instanceof ModelRetriesExhaustedError) {
    const what =
      err.status === 429 ? 'rate-limited' : err.status === 529 ? 'overloaded' : 'not answering properly';
    const wait = err.retryAfterMs ? ` It asked to wait ${formatWait(err.retryAfterMs)}.` : '';
    return `The model API is ${what} right now (tried ${err.attempts} times).${wait} Please try again in a moment.`;
  }
  if (err instanceof ModelRequestError) {
    if (err.status === 401 || err.status === 403) {
      return 'The model API refused the configured key. Check it with `sandgate config set anthropic.apiKey …` (or ANTHROPIC_API_KEY).';
    }
    return `The model API rejected the request (${err.status ?? 'no status'}): ${err.apiMessage}`;
  }
  if (err instanceof ModelAbortedError) return 'Cancelled.';
  return undefined;
}
