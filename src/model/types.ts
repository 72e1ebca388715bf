// The model port every agent talks to: one streamed turn at a time, usage attached.
// Agents depend on this interface, not on the SDK client, so tests can swap the transport.

import type Anthropic from '@anthropic-ai/sdk';

/** Threads hold only user and assistant turns; the system prompt travels separately. */
export type MessageParam = Anthropic.UserMessageParam | Anthropic.AssistantMessageParam;
export type ToolDefinition = Anthropic.Tool;
export type AssistantMessage = Anthropic.Message;

/** Token counts and the approximate cost of one or more model calls. */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

/** What a run reports and the runs table keeps: the token counts, and the rest when known. */
export type RunUsage = Pick<UsageTotals, 'inputTokens' | 'outputTokens'> &
  Partial<Omit<UsageTotals, 'inputTokens' | 'outputTokens'>>;

export interface ModelRequest {
  system: string;
  tools?: ToolDefinition[];
  messages: MessageParam[];
  /** Defaults to `anthropic.maxTokens`. */
  maxTokens?: number;
}

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  reason: string;
}

/** Who the call is for: usage is recorded per run and budgeted per sender and UTC day. */
export interface ModelCall {
  runId: number;
  senderKey: string;
  signal?: AbortSignal;
  /** Streamed text as it arrives. */
  onText?: (delta: string) => void;
  /** Called before each backoff wait, so the chat can say the model is busy. */
  onRetry?: (notice: RetryNotice) => void;
}

export interface ModelTurn {
  message: AssistantMessage;
  usage: UsageTotals;
}

export interface ModelClient {
  /** The model id requests go to (`claude-sonnet-4-5`). */
  readonly model: string;
  /**
   * One assistant turn, streamed. Throws ModelError subclasses: BudgetExceededError before the
   * request, ModelRetriesExhaustedError / ModelRequestError on API failure, ModelAbortedError on abort.
   */
  turn(request: ModelRequest, call: ModelCall): Promise<ModelTurn>;
}

export function emptyUsage(): UsageTotals {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
}

export function addUsage(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}
