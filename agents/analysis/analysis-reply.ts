// The chat reply of an analysis run, in words: files that could not be used, the model's summary,
// whether charts were produced, and the files sent back (stop notes: agents/tool-loop/stop-note.ts).

import { type DatasetFormat, FORMAT_LABEL } from './dataset-files.js';
import { displayName } from './dataset-intake.js';
import type { DatasetPreview } from './workspace-scan.js';

/** More than this many charts in one run are counted but not sent (chat albums hold 10). */
export const MAX_CHARTS = 10;

export function problemsBlock(problems: string[]): string | undefined {
  if (problems.length === 0) return undefined;
  if (problems.length === 1) return problems[0];
  return `Some files could not be used:\n${problems.map((p) => `- ${p}`).join('\n')}`;
}

const LIBRARY_FOR: Partial<Record<DatasetFormat, string>> = {
  parquet: 'pyarrow',
  xlsx: 'openpyxl',
  xls: 'xlrd',
};

/** Why the sandbox could not read a saved file (it was removed again). */
export function unreadableProblem(
  originalName: string,
  format: DatasetFormat,
  p: Extract<DatasetPreview, { ok: false }>,
): string {
  const name = displayName(originalName);
  const label = FORMAT_LABEL[format];
  switch (p.kind) {
    case 'empty':
      return `${name} has no data in it (no columns could be read); it was not kept.`;
    case 'missing_library': {
      const lib = p.library === 'pandas' ? 'pandas' : (LIBRARY_FOR[format] ?? (p.library || 'a library'));
      return `${name}: reading ${label} files needs ${lib}, which is not installed in this sandbox. Please send it as CSV instead.`;
    }
    default:
      return `${name} could not be read as a ${label} file (${p.message.trim()}); it was not kept.`;
  }
}

export interface ReplyParts {
  problems: string[];
  answer: string;
  note?: string;
  chartCount: number;
  /** Say so when no chart was made (not after a cancel or a model failure, where it is noise). */
  mentionNoChart: boolean;
  sentFiles: string[];
  skippedFiles: string[];
}

export function composeReply(p: ReplyParts): string {
  const parts: (string | undefined)[] = [problemsBlock(p.problems), p.answer.trim(), p.note];
  if (p.chartCount === 0 && p.mentionNoChart) parts.push('No chart was produced.');
  else if (p.chartCount > MAX_CHARTS)
    parts.push(`${p.chartCount} charts were made; the first ${MAX_CHARTS} are attached.`);
  if (p.sentFiles.length) parts.push(`Files from out/: ${p.sentFiles.join(', ')}`);
  if (p.skippedFiles.length) parts.push(`Not sent (too large): ${p.skippedFiles.join(', ')}`);
  return parts.filter((x): x is string => !!x && x.length > 0).join('\n\n');
}
