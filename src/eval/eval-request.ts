// The body of POST /api/eval (DESIGN §9.5), validated: a client's JSON is untrusted, and a bad one
// must be refused whole with a message naming the field (`items[3].task: no such task "sort"`).

import { z } from 'zod';
import type { EvalRequest } from './evaluate.js';

/** Most items in one request: a TRL step is a few hundred; more belongs in several requests. */
export const MAX_ITEMS = 10_000;

export const evalTaskSchema = z.object({
  prompt: z.string().max(100_000),
  func_name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Python identifier'),
  tests: z.array(z.string().min(1).max(100_000)).max(10_000),
  reference: z.string().min(1).max(100_000),
  banned_patterns: z.array(z.string().min(1).max(1000)).max(1000).default([]),
});

export const evalTasksSchema = z.record(z.string().min(1).max(200), evalTaskSchema);

export const evalRequestSchema = z
  .object({
    tasks: evalTasksSchema,
    items: z
      .array(z.object({ task: z.string().min(1).max(200), completion: z.string().max(200_000) }))
      .max(MAX_ITEMS),
    timeout_ms: z.number().int().min(1).max(600_000).default(1000),
  })
  .superRefine((req, ctx) => {
    req.items.forEach((item, i) => {
      if (!Object.hasOwn(req.tasks, item.task))
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'task'],
          message: `no such task ${JSON.stringify(item.task)}`,
        });
    });
  });

/** `items[3].task` from a zod path. */
export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || 'body';
}

/** The first problem of a zod error, as `field: message`. */
export function describeIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  return issue ? `${fieldName(issue.path)}: ${issue.message}` : 'invalid request';
}

/** The request, or the message of a 400 naming the first bad field. */
export function parseEvalRequest(body: unknown): { request: EvalRequest } | { error: string } {
  const parsed = evalRequestSchema.safeParse(body);
  if (!parsed.success) return { error: describeIssue(parsed.error) };
  return { request: parsed.data };
}
