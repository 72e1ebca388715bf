// Runs the preview / out/-scan Python in the conversation's interpreter and validates what it
// reports. A run that fails or prints nothing parseable throws WorkspaceScanError with the reason.

import { z } from 'zod';
import type { Sandbox } from '../../src/sandbox/provider.js';
import { DATA_DIR, type DatasetFormat, OUT_DIR } from './dataset-files.js';
import { COLLECT_PY, PREPARE_PY, pythonCall, RESULT_MARKER, SCAN_OUT_PY } from './python/prepare-py.js';

export class WorkspaceScanError extends Error {}

const frameSchema = z.object({
  sheet: z.string().optional(),
  rows: z.number().int(),
  cols: z.number().int(),
  columns: z.array(z.object({ name: z.string(), dtype: z.string(), nulls: z.number().int() })),
  head: z.string(),
});

const previewSchema = z.discriminatedUnion('ok', [
  z.object({
    path: z.string(),
    ok: z.literal(true),
    frames: z.array(frameSchema),
    sheets: z.number().int(),
    /** The pandas call that reads it the way the preview did. */
    how: z.string(),
  }),
  z.object({
    path: z.string(),
    ok: z.literal(false),
    kind: z.enum(['missing_library', 'empty', 'unreadable']),
    library: z.string().nullish(),
    message: z.string(),
  }),
]);

/** [path relative to the workspace, size, mtime in ns as text (it does not fit a double)] */
const outEntry = z.tuple([z.string(), z.number(), z.string()]);

const prepareSchema = z.object({
  datasets: z.array(previewSchema),
  existing: z.array(z.object({ path: z.string(), size: z.number() })),
  out: z.array(outEntry),
});

export type DatasetPreview = z.infer<typeof previewSchema>;
export type FramePreview = z.infer<typeof frameSchema>;
export type OutSnapshot = z.infer<typeof outEntry>[];
export type WorkspaceScan = z.infer<typeof prepareSchema>;

export interface PreviewRequest {
  path: string;
  format: DatasetFormat;
  encoding?: 'utf-16';
}

export interface ScanOptions {
  context: string;
  timeoutMs: number;
  signal: AbortSignal;
}

async function runScan<T>(sandbox: Sandbox, code: string, schema: z.ZodType<T>, o: ScanOptions): Promise<T> {
  const r = await sandbox.runCode(code, { context: o.context, timeoutMs: o.timeoutMs, signal: o.signal });
  if (r.error) {
    throw new WorkspaceScanError(`${r.error.name}: ${r.error.value}`);
  }
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (!line) throw new WorkspaceScanError('the sandbox printed no result');
  let json: unknown;
  try {
    json = JSON.parse(line.slice(RESULT_MARKER.length));
  } catch {
    throw new WorkspaceScanError('the sandbox printed a result that is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new WorkspaceScanError(`unexpected result from the sandbox: ${parsed.error.message}`);
  return parsed.data;
}

/** Previews `files` (already written under data/), lists data/ and snapshots out/. */
export function prepareWorkspace(
  sandbox: Sandbox,
  files: PreviewRequest[],
  o: ScanOptions,
): Promise<WorkspaceScan> {
  const code = pythonCall([SCAN_OUT_PY, PREPARE_PY], '__sandgate_prepare', {
    workdir: sandbox.workdir,
    data_dir: DATA_DIR,
    out_dir: OUT_DIR,
    marker: RESULT_MARKER,
    max_columns: 60,
    files,
  });
  return runScan(sandbox, code, prepareSchema, o);
}

/** Files under out/ that are new or changed since `before`. */
export async function changedOutputs(
  sandbox: Sandbox,
  before: OutSnapshot,
  o: ScanOptions,
): Promise<{ path: string; size: number }[]> {
  const code = pythonCall([SCAN_OUT_PY, COLLECT_PY], '__sandgate_collect', {
    workdir: sandbox.workdir,
    out_dir: OUT_DIR,
    marker: RESULT_MARKER,
  });
  const { out } = await runScan(sandbox, code, z.object({ out: z.array(outEntry) }), o);
  const seen = new Map(before.map(([path, size, mtime]) => [path, `${size}:${mtime}`]));
  return out
    .filter(([path, size, mtime]) => seen.get(path) !== `${size}:${mtime}`)
    .map(([path, size]) => ({ path, size }));
}
