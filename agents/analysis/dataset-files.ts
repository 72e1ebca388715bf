// What an attached file is called inside the sandbox and which table format it claims to be.
// Names from chats are untrusted: only the last path segment survives, in a safe character set.

export type DatasetFormat = 'csv' | 'tsv' | 'json' | 'jsonl' | 'xlsx' | 'xls' | 'parquet';

/** Folder (relative to the workspace) datasets are saved in. */
export const DATA_DIR = 'data';
/** Folder (relative to the workspace) whose new files are sent back as documents. */
export const OUT_DIR = 'out';

const BY_EXTENSION: Record<string, DatasetFormat> = {
  csv: 'csv',
  txt: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  xlsx: 'xlsx',
  xlsm: 'xlsx',
  xls: 'xls',
  parquet: 'parquet',
  pq: 'parquet',
};

const BY_MIME: Record<string, DatasetFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/tab-separated-values': 'tsv',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.apache.parquet': 'parquet',
  'application/x-parquet': 'parquet',
};

/** Canonical extension for a format, used when the name had none. */
const EXTENSION_OF: Record<DatasetFormat, string> = {
  csv: 'csv',
  tsv: 'tsv',
  json: 'json',
  jsonl: 'jsonl',
  xlsx: 'xlsx',
  xls: 'xls',
  parquet: 'parquet',
};

export const FORMAT_LABEL: Record<DatasetFormat, string> = {
  csv: 'CSV',
  tsv: 'TSV',
  json: 'JSON',
  jsonl: 'JSON Lines',
  xlsx: 'Excel (.xlsx)',
  xls: 'Excel 97-2003 (.xls)',
  parquet: 'Parquet',
};

export const SUPPORTED_FORMATS_TEXT = 'CSV, TSV, JSON, JSON Lines, Excel (.xlsx) or Parquet';

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The format a file claims by its extension (or, lacking one, its MIME type). */
export function datasetFormat(name: string, mime = ''): DatasetFormat | undefined {
  const byExt = BY_EXTENSION[extensionOf(baseName(name))];
  if (byExt) return byExt;
  return BY_MIME[mime.split(';')[0]?.trim().toLowerCase() ?? ''];
}

/** For routing: does this attachment look like something the analysis agent reads? */
export function isDatasetFile(name: string, mime?: string): boolean {
  return datasetFormat(name, mime) !== undefined;
}

function baseName(name: string): string {
  const parts = name.split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

const MAX_STEM = 80;

/**
 * A file name safe to place under data/: last path segment only, letters (any script), digits,
 * `.`, `-`, `_`; no leading dot; the extension kept and lower-cased.
 */
export function sanitizeFileName(name: string, format: DatasetFormat): string {
  const base = baseName(name).normalize('NFC');
  const ext = extensionOf(base);
  const keepExt = BY_EXTENSION[ext] === format ? ext : EXTENSION_OF[format];
  const rawStem = BY_EXTENSION[ext] ? base.slice(0, base.length - ext.length - 1) : base;
  const stem =
    rawStem
      .replace(/[^\p{L}\p{N}._-]+/gu, '_')
      .replace(/\.{2,}/g, '.')
      .replace(/^[._-]+/, '')
      .replace(/[._-]+$/, '')
      .slice(0, MAX_STEM) || 'dataset';
  return `${stem}.${keepExt}`;
}

/** Makes names unique within one message: `sales.csv`, `sales-2.csv`, … */
export function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    const dot = name.lastIndexOf('.');
    for (let n = 2; seen.has(candidate.toLowerCase()); n++) {
      candidate = `${name.slice(0, dot)}-${n}${name.slice(dot)}`;
    }
    seen.add(candidate.toLowerCase());
    return candidate;
  });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
