// One status line per Claude Code tool call, the way the coding agent words its own: `Write
// index.html`, `Bash: npm test`. Paths are shown relative to the workspace; long inputs are cut.

import { shorten } from '../../src/text/cut.js';

const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'Read', 'NotebookEdit']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** `path` relative to `workdir` when it is inside it. */
export function relativePath(path: string, workdir: string): string {
  const root = workdir.replace(/\/+$/, '');
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

export function toolStatus(name: string, input: Record<string, unknown>, workdir: string): string {
  const file = str(input.file_path) ?? str(input.notebook_path);
  if (FILE_TOOLS.has(name) && file) return `${name} ${relativePath(file, workdir)}`;
  const firstLine = (s: string) => shorten(s.split('\n')[0] ?? '', 120);
  const detail =
    name === 'Bash'
      ? str(input.command)
      : name === 'Grep' || name === 'Glob'
        ? str(input.pattern)
        : name === 'WebFetch'
          ? str(input.url)
          : name === 'WebSearch'
            ? str(input.query)
            : name === 'Task' || name === 'Agent'
              ? str(input.description)
              : undefined;
  return detail ? `${name}: ${firstLine(detail)}` : name;
}

/** Workspace files a tool call changed (Write, Edit, …), for the reply's "Files changed". */
export function changedFile(
  name: string,
  input: Record<string, unknown>,
  workdir: string,
): string | undefined {
  const file = str(input.file_path) ?? str(input.notebook_path);
  if (!file || name === 'Read' || !FILE_TOOLS.has(name)) return undefined;
  const rel = relativePath(file, workdir);
  return rel.startsWith('/') ? undefined : rel;
}
