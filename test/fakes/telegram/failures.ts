// Scripted failures for the fake Bot API: the next N calls of a method (or of any method, '*')
// answer with a Telegram error or lose their connection, before or after the call took effect.

import { fail, type MethodResult } from './bot-methods.js';

export type Failure =
  | { kind: '429'; retryAfter: number }
  | { kind: '409'; description?: string }
  | { kind: '401' }
  | { kind: '5xx'; status?: number }
  /** Answer with any Bot API error. */
  | { kind: 'error'; code: number; description: string }
  /** Close the connection without processing the call. */
  | { kind: 'drop-before' }
  /** Process the call (the message IS posted), then close the connection without answering. */
  | { kind: 'drop-after' };

export class FailureScript {
  private readonly queues = new Map<string, { failure: Failure; remaining: number }[]>();

  add(method: string, failure: Failure, times: number): void {
    const list = this.queues.get(method) ?? [];
    list.push({ failure, remaining: times });
    this.queues.set(method, list);
  }

  clear(): void {
    this.queues.clear();
  }

  /** The failure for this call, if one is scripted; consumes it. */
  take(method: string): Failure | undefined {
    for (const key of [method, '*']) {
      const list = this.queues.get(key);
      const head = list?.[0];
      if (!head) continue;
      head.remaining--;
      if (head.remaining <= 0) list.shift();
      return head.failure;
    }
    return undefined;
  }
}

export function failureResult(f: Failure): MethodResult | undefined {
  switch (f.kind) {
    case '429':
      return fail(429, `Too Many Requests: retry after ${f.retryAfter}`, { retry_after: f.retryAfter });
    case '409':
      return fail(
        409,
        f.description ??
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      );
    case '401':
      return fail(401, 'Unauthorized');
    case '5xx':
      return fail(f.status ?? 502, 'Bad Gateway');
    case 'error':
      return fail(f.code, f.description);
    default:
      return undefined;
  }
}
