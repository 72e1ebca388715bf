// What the model is told: how the sandbox and its one tool work (system prompt), and per message the
// user's question plus what is known about each dataset (path, size, columns, first rows).

import { quotedFileName } from '../../src/text/file-name.js';
import { formatBytes } from './dataset-files.js';
import { PYTHON_TOOL } from './python-tool.js';
import type { DatasetPreview, FramePreview } from './workspace-scan.js';

export interface SystemFacts {
  workdir: string;
  maxIterations: number;
  timeoutSec: number;
}

export function analysisSystemPrompt(f: SystemFacts): string {
  return `You are a data analyst working in a sandbox through a chat. You answer questions about the user's data by running Python with the ${PYTHON_TOOL} tool.

How the sandbox works:
- The working directory is ${f.workdir}. Datasets the user sends are saved in data/ (paths below are relative to it).
- The interpreter is persistent: variables, imports and DataFrames stay between calls and between messages in this conversation. Load a dataset once and reuse it.
- pandas, numpy and matplotlib are installed. There is no network; do not try to install packages.
- Each call may run for at most ${f.timeoutSec} s; you have at most ${f.maxIterations} model turns for this message.

How to work:
- Start from the preview you are given (columns, dtypes, first rows) and the pandas call that reads the file the same way.
- Print the numbers you rely on: print() results, use .head(), .describe(), value_counts(); never print a whole large DataFrame.
- When a call fails you get the error and traceback: read them, fix the code, and run it again.
- Charts: use matplotlib. Give every chart a title (it becomes the caption in the chat) and axis labels, then call plt.show(). Each chart is sent to the user as an image, in the order you make them. Make a chart when it helps answer the question, not by default.
- Files meant for the user (a cleaned CSV, a report) go in out/; every new or changed file there is sent back as a document. Do not save charts there unless asked.

Your final answer: a short, direct summary in plain language with the key numbers from your analysis. Do not include code, and do not invent numbers you did not compute.`;
}

export function shape(rows: number, cols: number): string {
  return `${rows} row${rows === 1 ? '' : 's'} × ${cols} column${cols === 1 ? '' : 's'}`;
}

function describeFrame(fr: FramePreview, indent: string): string {
  const cols = fr.columns
    .map((c) => `${c.name} (${c.dtype}${c.nulls ? `, ${c.nulls} missing` : ''})`)
    .join(', ');
  const more = fr.cols > fr.columns.length ? `, … ${fr.cols - fr.columns.length} more` : '';
  const lines = [
    `${indent}${fr.sheet !== undefined ? `sheet "${fr.sheet}": ` : ''}${shape(fr.rows, fr.cols)}`,
    `${indent}columns: ${cols}${more}`,
  ];
  if (fr.rows > 0) {
    lines.push(`${indent}first rows:`, ...fr.head.split('\n').map((l) => `${indent}  ${l}`));
  }
  return lines.join('\n');
}

export interface SavedDataset {
  /** Path relative to the workspace (`data/vehicles.csv`). */
  path: string;
  /** The name it was sent with. */
  originalName: string;
  size: number;
  preview: Extract<DatasetPreview, { ok: true }>;
}

export function describeDataset(d: SavedDataset): string {
  const renamed =
    d.originalName !== d.path.split('/').pop() ? ` (sent as ${quotedFileName(d.originalName)})` : '';
  const head = `- ${d.path}${renamed}, ${formatBytes(d.size)}; read with: ${d.preview.how}`;
  const frames = d.preview.frames.map((fr) => describeFrame(fr, '  '));
  const more =
    d.preview.sheets > d.preview.frames.length
      ? [`  … and ${d.preview.sheets - d.preview.frames.length} more sheets`]
      : [];
  return [head, ...frames, ...more].join('\n');
}

const DEFAULT_QUESTION =
  'Give me an overview of this data: what it contains, its size, and anything notable (ranges, missing values, trends).';

export function taskPrompt(
  question: string,
  saved: SavedDataset[],
  others: { path: string; size: number }[],
): string {
  const parts = [question.trim() || DEFAULT_QUESTION];
  if (saved.length) {
    parts.push(
      `Datasets attached to this message (saved in the sandbox):\n${saved.map(describeDataset).join('\n')}`,
    );
  }
  if (others.length) {
    const list = others.map((o) => `- ${o.path} (${formatBytes(o.size)})`).join('\n');
    parts.push(`Other files already in data/ from earlier messages:\n${list}`);
  }
  if (!saved.length && !others.length) {
    parts.push('No dataset has been sent in this conversation yet (data/ is empty).');
  }
  return parts.join('\n\n');
}
