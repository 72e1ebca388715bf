// Takes a message's attachments into the sandbox's data/ folder: refuses files of an unknown format,
// over the size limit, empty, or not what their name says (with a reason per file) before anything
// is written; the accepted ones are written under sanitised, unique names.

import type { Sandbox } from '../../src/sandbox/provider.js';
import { shorten } from '../../src/text/cut.js';
import type { TaskFile } from '../agent.js';
import { checkContent } from './content-check.js';
import {
  DATA_DIR,
  type DatasetFormat,
  datasetFormat,
  FORMAT_LABEL,
  formatBytes,
  SUPPORTED_FORMATS_TEXT,
  sanitizeFileName,
  uniqueNames,
} from './dataset-files.js';

export interface AcceptedFile {
  originalName: string;
  format: DatasetFormat;
  encoding?: 'utf-16';
  data: Buffer;
}

export interface WrittenFile extends Omit<AcceptedFile, 'data'> {
  /** Relative to the workspace: `data/<name>`. */
  path: string;
  size: number;
}

export interface Intake {
  accepted: AcceptedFile[];
  /** One line per refused file, for the user. */
  problems: string[];
}

/** A file name from a chat as it may be shown back: no control characters, bounded length. */
export function displayName(name: string): string {
  const clean = name.replace(/\p{Cc}/gu, '').trim() || '(unnamed file)';
  return shorten(clean, 80);
}

function tooLarge(name: string, bytes: number, limitMb: number): string {
  return `${displayName(name)} is ${formatBytes(bytes)}, over the ${limitMb} MB limit for datasets (agents.analysisMaxFileMb); it was not saved. Send a smaller extract or a compressed format such as Parquet.`;
}

/** Checks every attachment; fetches only those that pass the cheap checks. Writes nothing. */
export async function takeAttachments(files: TaskFile[], limitMb: number): Promise<Intake> {
  const limit = Math.floor(limitMb * 1024 * 1024);
  const accepted: AcceptedFile[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const name = displayName(file.name);
    const format = datasetFormat(file.name, file.mime);
    if (!format) {
      problems.push(`${name} is not a dataset format I read (${SUPPORTED_FORMATS_TEXT}); it was not saved.`);
      continue;
    }
    if (file.size > limit) {
      problems.push(tooLarge(file.name, file.size, limitMb));
      continue;
    }
    let data: Buffer;
    try {
      data = await file.fetch();
    } catch (err) {
      problems.push(`${name} could not be downloaded (${err instanceof Error ? err.message : String(err)}).`);
      continue;
    }
    if (data.length > limit) {
      problems.push(tooLarge(file.name, data.length, limitMb));
      continue;
    }
    if (data.length === 0) {
      problems.push(`${name} is empty; it was not saved.`);
      continue;
    }
    const verdict = checkContent(data, format);
    if (verdict.problem) {
      problems.push(
        `${name} is not a valid ${FORMAT_LABEL[format]} file: ${verdict.problem}. It was not saved.`,
      );
      continue;
    }
    accepted.push({
      originalName: file.name,
      format,
      data,
      ...(verdict.encoding ? { encoding: verdict.encoding } : {}),
    });
  }
  return { accepted, problems };
}

/** Writes the accepted files under data/, replacing same-named files from earlier messages. */
export async function writeAccepted(sandbox: Sandbox, accepted: AcceptedFile[]): Promise<WrittenFile[]> {
  const names = uniqueNames(accepted.map((f) => sanitizeFileName(f.originalName, f.format)));
  const written: WrittenFile[] = [];
  for (const [i, f] of accepted.entries()) {
    const path = `${DATA_DIR}/${names[i]}`;
    await sandbox.writeFile(path, f.data);
    written.push({
      path,
      size: f.data.length,
      originalName: f.originalName,
      format: f.format,
      ...(f.encoding ? { encoding: f.encoding } : {}),
    });
  }
  return written;
}
