// run_python_code: the analysis agent's one tool. Code runs in the conversation's stateful interpreter
// in the sandbox; output, errors with tracebacks and timeouts go back to the model as text so it can
// fix its code, and every chart the code produced is kept, in order, for the final reply.

import { z } from 'zod';
import type { Chart, CodeRunResult, Sandbox } from '../../src/sandbox/provider.js';
import { defineTool, type LoopTool } from '../tool-loop/tool.js';
import { truncateMiddle } from '../tool-loop/truncate.js';

export const PYTHON_TOOL = 'run_python_code';

/** Model-facing caps: enough to read a describe() or a traceback, not a whole DataFrame. */
export const STDOUT_MAX_CHARS = 8000;
export const STDERR_MAX_CHARS = 3000;

export interface PythonToolEnv {
  sandbox: Sandbox;
  /** Interpreter context: one per conversation, so variables survive between calls and messages. */
  context: string;
  timeoutSec: number;
  /** Charts produced so far in this run; the tool appends to it. */
  charts: Chart[];
}

function chartLine(c: Chart, n: number): string {
  return `#${n} ${c.title ? `"${c.title}"` : '(untitled)'} (${c.type})`;
}

/** The tool_result text for one run: what the model needs to continue or to fix its code. */
export function describeCodeRun(r: CodeRunResult, timeoutSec: number, firstChartNumber: number): string {
  const parts: string[] = [];
  if (r.timedOut) {
    parts.push(
      `Execution timed out after ${timeoutSec} s and was stopped (${r.error?.value ?? 'interrupted'}). ` +
        'Likely an infinite loop or work too slow for the limit: fix the loop, or work on a sample or with vectorised pandas operations.',
    );
  } else if (r.error) {
    parts.push(`Error: ${r.error.name}: ${r.error.value}`);
    if (r.error.traceback) parts.push(r.error.traceback.trimEnd());
  }
  if (r.stdout) parts.push(`--- stdout ---\n${truncateMiddle(r.stdout, STDOUT_MAX_CHARS).trimEnd()}`);
  if (r.stderr) parts.push(`--- stderr ---\n${truncateMiddle(r.stderr, STDERR_MAX_CHARS).trimEnd()}`);
  if (r.charts.length) {
    const list = r.charts.map((c, i) => chartLine(c, firstChartNumber + i)).join(', ');
    parts.push(`Charts captured (sent to the user as images): ${list}`);
  }
  if (parts.length === 0) parts.push('(ran without output; print() the values you want to see)');
  return parts.join('\n');
}

export function pythonTool(env: PythonToolEnv): LoopTool {
  return defineTool({
    name: PYTHON_TOOL,
    description:
      'Run Python code in a persistent interpreter in the sandbox (variables, imports and loaded DataFrames stay ' +
      'between calls). pandas, numpy and matplotlib are available. Returns stdout, stderr, errors with tracebacks ' +
      `and the charts captured. Each call may run for at most ${env.timeoutSec} s.`,
    input: z.object({
      code: z.string().min(1).describe('Python source to execute'),
    }),
    run: async ({ code }, { signal }) => {
      const r = await env.sandbox.runCode(code, {
        context: env.context,
        timeoutMs: env.timeoutSec * 1000,
        signal,
      });
      const first = env.charts.length + 1;
      env.charts.push(...r.charts);
      const outcome = r.timedOut
        ? `timed out after ${env.timeoutSec} s`
        : r.error
          ? r.error.name
          : r.charts.length
            ? `${r.charts.length} chart${r.charts.length === 1 ? '' : 's'}`
            : 'ok';
      return {
        content: describeCodeRun(r, env.timeoutSec, first),
        isError: r.timedOut === true || r.error !== undefined,
        progress: `ran Python — ${outcome}`,
      };
    },
  });
}
