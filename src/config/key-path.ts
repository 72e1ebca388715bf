// Dotted key paths (`telegram.apiRoot`) over plain objects, and the list of keys the schema knows,
// so `config set` can refuse a typo instead of writing a setting nothing reads.

import { z } from 'zod';
import { configSchema } from './schema.js';

type Obj = Record<string, unknown>;

export function getPath(obj: unknown, key: string): unknown {
  let cur: unknown = obj;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[part];
  }
  return cur;
}

export function setPath(obj: Obj, key: string, value: unknown): void {
  const parts = key.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (next === null || typeof next !== 'object') cur[part] = {};
    cur = cur[part] as Obj;
  }
  cur[parts[parts.length - 1] as string] = value;
}

export function unsetPath(obj: Obj, key: string): boolean {
  const parts = key.split('.');
  const last = parts.pop() as string;
  const parent = parts.length ? getPath(obj, parts.join('.')) : obj;
  if (parent === null || typeof parent !== 'object' || !(last in parent)) return false;
  delete (parent as Obj)[last];
  return true;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    const def = (
      s as unknown as { def: { type: string; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType } }
    ).def;
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.out) s = def.out;
    else return s;
  }
}

/** Every leaf key the schema defines, e.g. `limits.maxConcurrentRuns`. */
export function knownKeys(schema: z.ZodType = configSchema, prefix = ''): string[] {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) {
    return Object.entries(s.shape as Record<string, z.ZodType>).flatMap(([k, v]) =>
      knownKeys(v, prefix ? `${prefix}.${k}` : k),
    );
  }
  return [prefix];
}
