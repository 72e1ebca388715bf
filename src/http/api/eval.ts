// POST /api/eval (behind the gateway token, DESIGN §9.5): a batch of completions scored on the eval
// pool; answers when every item is scored, results in item order. A malformed body is a 400 naming
// the field; an item that fails in any way is a -1 in its own row, never a failed request.

import { Hono } from 'hono';
import type { EvalPool } from '../../eval/eval-pool.js';
import { parseEvalRequest } from '../../eval/eval-request.js';
import { evaluateBatch } from '../../eval/evaluate.js';

/** Mount under the token-guarded API: `api.route('/eval', evalRoutes(pool))`. */
export function evalRoutes(pool: () => EvalPool): Hono {
  return new Hono().post('/', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'body: not JSON (send Content-Type: application/json)' }, 400);
    }
    const parsed = parseEvalRequest(body);
    if ('error' in parsed) return c.json({ error: parsed.error }, 400);
    return c.json(await evaluateBatch(pool(), parsed.request));
  });
}
