// Files the model's code wrote to out/ during a run, read back as chat documents. Each is capped in
// size and the number sent is bounded; what is left out is named so the user can fetch it with /get.

import type { Sandbox } from '../../src/sandbox/provider.js';
import { formatBytes, OUT_DIR } from './dataset-files.js';

export const MAX_OUT_FILES = 10;

export interface OutputFiles {
  files: { name: string; data: Buffer }[];
  sent: string[];
  skipped: string[];
}

/** `out/report/summary.csv` → `report_summary.csv`: documents carry a flat name. */
function documentName(path: string): string {
  const rel = path.startsWith(`${OUT_DIR}/`) ? path.slice(OUT_DIR.length + 1) : path;
  return rel.replace(/\//g, '_');
}

export async function readOutputs(
  sandbox: Sandbox,
  changed: { path: string; size: number }[],
  maxBytes: number,
): Promise<OutputFiles> {
  const out: OutputFiles = { files: [], sent: [], skipped: [] };
  for (const f of changed) {
    if (f.size > maxBytes) {
      out.skipped.push(`${f.path} (${formatBytes(f.size)}; use /get ${f.path})`);
      continue;
    }
    if (out.files.length >= MAX_OUT_FILES) {
      out.skipped.push(`${f.path} (more than ${MAX_OUT_FILES} files; use /get ${f.path})`);
      continue;
    }
    try {
      const data = await sandbox.readFile(f.path);
      out.files.push({ name: documentName(f.path), data });
      out.sent.push(f.path);
    } catch (err) {
      out.skipped.push(`${f.path} (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return out;
}
