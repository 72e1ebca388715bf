// The JSON-lines protocol of src/sandbox/runtime/driver.py, validated: the driver runs sandboxed code in
// the same process, so everything it says is untrusted input. Unknown or malformed lines are dropped.

import { z } from 'zod';
import type { Chart } from './provider.js';

const chartSchema = z.object({
  type: z.string().max(64),
  title: z.string().max(4096).default(''),
  png: z.string().max(32 * 1024 * 1024),
  x_label: z.string().max(4096).optional(),
  y_label: z.string().max(4096).optional(),
  elements: z.array(z.unknown()).max(10_000).optional(),
});

const errorSchema = z.object({
  name: z.string().max(256),
  value: z.string().max(64 * 1024),
  traceback: z.string().max(256 * 1024),
});

export const driverMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int(), python: z.string().optional() }),
  z.object({ type: z.literal('stdout'), id: z.number().int(), text: z.string() }),
  z.object({ type: z.literal('stderr'), id: z.number().int(), text: z.string() }),
  z.object({
    type: z.literal('host_call'),
    id: z.number().int(),
    exec: z.number().int().nullable().optional(),
    method: z.string().min(1).max(256),
    params: z.unknown(),
  }),
  z.object({
    type: z.literal('done'),
    id: z.number().int(),
    error: errorSchema.nullable(),
    charts: z.array(chartSchema).max(100),
    truncated: z.boolean().optional(),
  }),
]);

export type DriverMessage = z.infer<typeof driverMessageSchema>;

export function parseDriverLine(line: string): DriverMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = driverMessageSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export function toChart(c: z.infer<typeof chartSchema>): Chart {
  const chart: Chart = { type: c.type, title: c.title, png: Buffer.from(c.png, 'base64') };
  if (c.x_label !== undefined) chart.x_label = c.x_label;
  if (c.y_label !== undefined) chart.y_label = c.y_label;
  if (c.elements !== undefined) chart.elements = c.elements;
  return chart;
}

/** Splits a byte/text stream into lines; a line longer than `max` is dropped rather than buffered forever. */
export class LineSplitter {
  private buf = '';
  private skipping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly max = 64 * 1024 * 1024,
  ) {}

  push(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        this.buf = '';
        continue;
      }
      const line = this.buf + piece;
      this.buf = '';
      if (line.trim()) this.onLine(line);
    }
    if (this.skipping) return;
    this.buf += text.slice(start);
    if (this.buf.length > this.max) {
      this.buf = '';
      this.skipping = true;
    }
  }
}
