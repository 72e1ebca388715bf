// A cheap look at a file's first bytes before it is written: a PNG renamed to .csv, a zip that is not
// a workbook, or binary junk is refused here with a plain reason. Real parsing happens in the sandbox.

import { type DatasetFormat, FORMAT_LABEL } from './dataset-files.js';

const SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old-style Office document (.xls/.doc)' },
  { bytes: [0x50, 0x41, 0x52, 0x31], what: 'a Parquet file' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'a program (ELF binary)' },
  { bytes: [...Buffer.from('SQLite format 3')], what: 'an SQLite database' },
];

function startsWith(data: Buffer, bytes: number[]): boolean {
  return data.length >= bytes.length && bytes.every((b, i) => data[i] === b);
}

function signatureOf(data: Buffer): string | undefined {
  return SIGNATURES.find((s) => startsWith(data, s.bytes))?.what;
}

export interface ContentVerdict {
  /** Why the file is refused; undefined when it may be what its name says. */
  problem?: string;
  /** Text encoding to read it with, when the bytes say (a UTF-16 byte-order mark). */
  encoding?: 'utf-16';
}

const SAMPLE = 64 * 1024;

function checkText(data: Buffer, label: string): ContentVerdict {
  if (startsWith(data, [0xff, 0xfe]) || startsWith(data, [0xfe, 0xff])) return { encoding: 'utf-16' };
  const what = signatureOf(data);
  if (what) return { problem: `it looks like ${what}, not a ${label} file` };
  const sample = data.subarray(0, SAMPLE);
  if (sample.includes(0)) return { problem: `it contains binary data, not ${label} text` };
  let control = 0;
  for (const b of sample) if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) control++;
  if (control > sample.length * 0.05) return { problem: `it looks like binary data, not ${label} text` };
  return {};
}

function firstVisible(data: Buffer): string {
  const text = data
    .subarray(0, 256)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  return text.trimStart().charAt(0);
}

/** Whether `data` can plausibly be a `format` file. */
export function checkContent(data: Buffer, format: DatasetFormat): ContentVerdict {
  const label = FORMAT_LABEL[format];
  switch (format) {
    case 'csv':
    case 'tsv':
    case 'jsonl':
      return checkText(data, label);
    case 'json': {
      const text = checkText(data, label);
      if (text.problem || text.encoding) return text;
      const first = firstVisible(data);
      if (first !== '{' && first !== '[')
        return { problem: 'it is not JSON (it does not start with { or [)' };
      return {};
    }
    case 'xlsx': {
      if (startsWith(data, [0x50, 0x4b, 0x03, 0x04])) return {};
      if (startsWith(data, [0xd0, 0xcf, 0x11, 0xe0]))
        return {
          problem:
            'it is an old-style .xls or a password-protected workbook; save it as .xlsx (unprotected) or CSV',
        };
      const what = signatureOf(data);
      return { problem: `it is not an Excel workbook${what ? ` (it looks like ${what})` : ''}` };
    }
    case 'xls': {
      if (startsWith(data, [0xd0, 0xcf, 0x11, 0xe0])) return {};
      if (startsWith(data, [0x50, 0x4b, 0x03, 0x04])) return {}; // an .xlsx saved with the old extension
      const what = signatureOf(data);
      return { problem: `it is not an Excel workbook${what ? ` (it looks like ${what})` : ''}` };
    }
    case 'parquet': {
      if (startsWith(data, [0x50, 0x41, 0x52, 0x31])) return {};
      const what = signatureOf(data);
      return { problem: `it is not a Parquet file${what ? ` (it looks like ${what})` : ''}` };
    }
  }
}
