// Glob and Grep over the workspace, run inside the sandbox with find/grep (present in both the local
// and the Daytona images). node_modules and .git are skipped; output is capped.

import { posix } from 'node:path';
import { z } from 'zod';
import { shorten } from '../../../src/text/cut.js';
import { defineTool, type LoopTool } from '../../tool-loop/tool.js';
import { displayPath, globToRegExp, resolveInWorkspace, shellQuote } from '../workspace-paths.js';
import type { CodingToolEnv } from './tool-env.js';

const MAX_FILES = 200;
const MAX_MATCH_LINES = 300;

export function globTool(env: CodingToolEnv): LoopTool {
  return defineTool({
    name: 'Glob',
    description:
      'Find files by glob pattern (e.g. "**/*.js", "src/*.{ts,tsx}"), relative to path (default: the workspace). Skips node_modules and .git.',
    input: z.object({
      pattern: z.string().min(1),
      path: z.string().optional().describe('Folder to search in'),
    }),
    run: async ({ pattern, path }, { signal }) => {
      const dir = resolveInWorkspace(env.sandbox.workdir, path ?? '.');
      const cmd = `find ${shellQuote(dir)} \\( -name node_modules -o -name .git \\) -prune -o -type f -print 2>/dev/null | head -n 20000`;
      const res = await env.sandbox.exec(cmd, { timeoutMs: 30_000, signal });
      const re = globToRegExp(pattern);
      const matches = res.stdout
        .split('\n')
        .filter(Boolean)
        .map((f) => posix.relative(dir, f))
        .filter((rel) => re.test(rel))
        .sort();
      const shown = matches
        .slice(0, MAX_FILES)
        .map((rel) => displayPath(env.sandbox.workdir, posix.join(dir, rel)));
      const more = matches.length > MAX_FILES ? `\n(${matches.length - MAX_FILES} more not shown)` : '';
      return {
        content: matches.length ? shown.join('\n') + more : `No files match ${pattern}.`,
        progress: `listed ${pattern} (${matches.length})`,
      };
    },
  });
}

export function grepTool(env: CodingToolEnv): LoopTool {
  return defineTool({
    name: 'Grep',
    description:
      'Search file contents with an extended regular expression. Returns file:line:text. Optional glob filters file names (e.g. "*.js").',
    input: z.object({
      pattern: z.string().min(1),
      path: z.string().optional().describe('File or folder (default: the workspace)'),
      glob: z.string().optional(),
      case_insensitive: z.boolean().optional(),
    }),
    run: async ({ pattern, path, glob, case_insensitive }, { signal }) => {
      const target = resolveInWorkspace(env.sandbox.workdir, path ?? '.');
      const flags = ['-rnIE', '--exclude-dir=node_modules', '--exclude-dir=.git'];
      if (case_insensitive) flags.push('-i');
      if (glob) flags.push(`--include=${shellQuote(glob)}`);
      const rel = displayPath(env.sandbox.workdir, target);
      // Without a file operand grep -r searches "." and prints paths without the "./" prefix.
      const operand = rel === '.' ? '' : ` -- ${shellQuote(rel)}`;
      const cmd = `cd ${shellQuote(env.sandbox.workdir)} && grep ${flags.join(' ')} -e ${shellQuote(pattern)}${operand} 2>&1 | head -n ${MAX_MATCH_LINES + 1}`;
      const res = await env.sandbox.exec(cmd, { timeoutMs: 30_000, signal });
      const lines = res.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^\.\//, ''));
      const shown = lines.slice(0, MAX_MATCH_LINES);
      const more = lines.length > MAX_MATCH_LINES ? `\n(more matches not shown; narrow the search)` : '';
      return {
        content: shown.length ? shown.join('\n') + more : `No matches for ${pattern}.`,
        progress: `searched for ${shorten(pattern, 40)} (${shown.length}${more ? '+' : ''} lines)`,
      };
    },
  });
}
