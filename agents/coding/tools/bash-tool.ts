// Bash: one shell command in the workspace, with a wall-clock timeout and /cancel passed through to
// the sandbox (which kills the process group). Output comes back with the exit code.

import { z } from 'zod';
import { defineTool, type LoopTool } from '../../tool-loop/tool.js';
import { type CodingToolEnv, shortCommand } from './tool-env.js';

const MAX_TIMEOUT_SEC = 600;

export function bashTool(env: CodingToolEnv): LoopTool {
  return defineTool({
    name: 'Bash',
    description: `Run a shell command in the workspace (the working directory is the workspace). Default timeout ${env.bashTimeoutSec} s, at most ${MAX_TIMEOUT_SEC} s. Do not start long-running servers here: use StartServer.`,
    input: z.object({
      command: z.string().min(1),
      timeout_sec: z.number().int().min(1).max(MAX_TIMEOUT_SEC).optional(),
    }),
    run: async ({ command, timeout_sec }, { signal }) => {
      const timeoutSec = timeout_sec ?? env.bashTimeoutSec;
      const res = await env.sandbox.exec(command, {
        cwd: env.sandbox.workdir,
        timeoutMs: timeoutSec * 1000,
        signal,
      });
      const parts = [
        res.timedOut
          ? `timed out after ${timeoutSec} s (exit code ${res.exitCode})`
          : `exit code ${res.exitCode}`,
      ];
      if (res.stdout) parts.push(`--- stdout ---\n${res.stdout}`);
      if (res.stderr) parts.push(`--- stderr ---\n${res.stderr}`);
      const outcome = res.timedOut ? `timed out after ${timeoutSec} s` : `exit ${res.exitCode}`;
      return {
        content: parts.join('\n'),
        isError: res.timedOut || res.exitCode !== 0,
        progress: `ran ${shortCommand(command)} — ${outcome}`,
      };
    },
  });
}
