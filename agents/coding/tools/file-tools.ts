// Read, Write and Edit: the file tools, named and shaped after Claude Code's. Edit is an exact string
// replacement that must match once (or replace_all), and says so plainly when it does not.

import { posix } from 'node:path';
import { z } from 'zod';
import { cutText } from '../../../src/text/cut.js';
import { defineTool, type LoopTool } from '../../tool-loop/tool.js';
import { displayPath, resolveInWorkspace, shellQuote } from '../workspace-paths.js';
import type { CodingToolEnv } from './tool-env.js';

const MAX_LINE = 2000;
const DEFAULT_LIMIT = 2000;

async function readText(env: CodingToolEnv, abs: string): Promise<string | { binary: number }> {
  const buf = await env.sandbox.readFile(abs);
  if (buf.subarray(0, 8000).includes(0)) return { binary: buf.length };
  return buf.toString('utf8');
}

function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

export function readTool(env: CodingToolEnv): LoopTool {
  return defineTool({
    name: 'Read',
    description:
      'Read a text file from the workspace. Output has line numbers (like cat -n). Use offset/limit (1-based line numbers) for large files.',
    input: z.object({
      file_path: z.string().min(1).describe('Path relative to the workspace, or absolute inside it'),
      offset: z.number().int().min(1).optional().describe('First line to read (1-based)'),
      limit: z.number().int().min(1).optional().describe('Number of lines to read (default 2000)'),
    }),
    run: async ({ file_path, offset, limit }) => {
      const abs = resolveInWorkspace(env.sandbox.workdir, file_path);
      const rel = displayPath(env.sandbox.workdir, abs);
      const text = await readText(env, abs);
      if (typeof text !== 'string')
        return { content: `${rel} is a binary file (${text.binary} bytes).`, progress: `read ${rel}` };
      const lines = text.split('\n');
      const start = (offset ?? 1) - 1;
      const slice = lines.slice(start, start + (limit ?? DEFAULT_LIMIT));
      const numbered = slice
        .map(
          (l, i) =>
            `${String(start + i + 1).padStart(6)}\t${l.length > MAX_LINE ? `${cutText(l, MAX_LINE)}…` : l}`,
        )
        .join('\n');
      const more =
        start + slice.length < lines.length ? `\n(${lines.length - start - slice.length} more lines)` : '';
      return { content: text.length === 0 ? `${rel} is empty.` : numbered + more, progress: `read ${rel}` };
    },
  });
}

export function writeTool(env: CodingToolEnv): LoopTool {
  return defineTool({
    name: 'Write',
    description:
      'Create or overwrite a file in the workspace with the given content. Parent folders are created.',
    input: z.object({
      file_path: z.string().min(1).describe('Path relative to the workspace, or absolute inside it'),
      content: z.string().describe('The complete new file content'),
    }),
    run: async ({ file_path, content }, { signal }) => {
      const abs = resolveInWorkspace(env.sandbox.workdir, file_path);
      const rel = displayPath(env.sandbox.workdir, abs);
      const dir = posix.dirname(abs);
      if (dir !== posix.resolve('/', env.sandbox.workdir)) {
        const made = await env.sandbox.exec(`mkdir -p ${shellQuote(dir)}`, { timeoutMs: 15_000, signal });
        if (made.exitCode !== 0)
          return {
            content: `Could not create ${displayPath(env.sandbox.workdir, dir)}: ${made.stderr}`,
            isError: true,
          };
      }
      await env.sandbox.writeFile(abs, content);
      env.state.fileChanged(rel);
      const lines = content.length === 0 ? 0 : content.split('\n').length;
      return { content: `Wrote ${rel} (${lines} lines).`, progress: `wrote ${rel}` };
    },
  });
}

export function editTool(env: CodingToolEnv): LoopTool {
  return defineTool({
    name: 'Edit',
    description:
      'Replace an exact string in a file. old_string must match exactly once (include surrounding lines to make it unique) unless replace_all is true. Read the file first.',
    input: z.object({
      file_path: z.string().min(1),
      old_string: z.string().min(1).describe('Exact text to find, including whitespace'),
      new_string: z.string().describe('Replacement text'),
      replace_all: z.boolean().optional().describe('Replace every occurrence'),
    }),
    run: async ({ file_path, old_string, new_string, replace_all }) => {
      const abs = resolveInWorkspace(env.sandbox.workdir, file_path);
      const rel = displayPath(env.sandbox.workdir, abs);
      if (old_string === new_string)
        return { content: 'old_string and new_string are identical; nothing to change.', isError: true };
      const text = await readText(env, abs);
      if (typeof text !== 'string')
        return { content: `${rel} is a binary file; Edit works on text.`, isError: true };
      const count = countOccurrences(text, old_string);
      if (count === 0) {
        return {
          content: `old_string was not found in ${rel}. It must match exactly (whitespace and indentation included); Read the file and copy the text.`,
          isError: true,
          progress: `edit of ${rel}: no match`,
        };
      }
      if (count > 1 && !replace_all) {
        return {
          content: `old_string matches ${count} places in ${rel}. Include more surrounding context to make it unique, or set replace_all.`,
          isError: true,
          progress: `edit of ${rel}: ${count} matches`,
        };
      }
      const updated = replace_all
        ? text.split(old_string).join(new_string)
        : text.replace(old_string, () => new_string);
      await env.sandbox.writeFile(abs, updated);
      env.state.fileChanged(rel);
      return {
        content: `Edited ${rel} (${count} replacement${count === 1 ? '' : 's'}).`,
        progress: `edited ${rel}`,
      };
    },
  });
}
