// StartServer and PreviewUrl: run a dev server in the background, wait until its port answers inside
// the sandbox, and hand back a signed, expiring preview link. A server that dies or never listens is
// reported with the tail of its log instead of a dead link.

import { z } from 'zod';
import { sleep } from '../../../src/timing/clock.js';
import { RunAbortedError } from '../../tool-loop/abort.js';
import { defineTool, type LoopTool } from '../../tool-loop/tool.js';
import { type CodingToolEnv, shortCommand } from './tool-env.js';

const POLL_MS = 400;

function probeCommand(port: number): string {
  // Whatever the image has: bash's /dev/tcp, python3, or curl.
  return [
    `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}' 2>/dev/null`,
    `python3 -c 'import socket; socket.create_connection(("127.0.0.1", ${port}), 2)' 2>/dev/null`,
    `curl -s -o /dev/null --max-time 2 http://127.0.0.1:${port}/`,
  ].join(' || ');
}

function tail(text: string, lines = 20): string {
  return text.split('\n').slice(-lines).join('\n').trim();
}

/** The shared abortable sleep, failing as a run abort does so the tool loop stops cleanly. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, signal).catch(() => {
    throw new RunAbortedError();
  });
}

async function linkFor(env: CodingToolEnv, port: number): Promise<string> {
  const { url, expiresAt } = await env.sandbox.previewUrl(port);
  env.state.preview({ port, url, expiresAt });
  return `Preview link for port ${port} (give it to the user; it expires ${expiresAt.toISOString()}): ${url}`;
}

export function startServerTool(env: CodingToolEnv): LoopTool {
  return defineTool({
    name: 'StartServer',
    description:
      'Start a long-running server in the background (e.g. "python3 -m http.server 8000" or "npm run dev -- --port 5173 --host 0.0.0.0"), wait until it answers on the port, and return a preview link for the user. Starting again on the same port restarts it.',
    input: z.object({
      command: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      wait_sec: z
        .number()
        .int()
        .min(1)
        .max(300)
        .optional()
        .describe('How long to wait for the port (default 30)'),
    }),
    run: async ({ command, port, wait_sec }, { signal }) => {
      const key = `${env.sandbox.id}:${port}`;
      const previous = env.servers.get(key);
      if (previous) {
        await previous.kill().catch(() => {});
        env.servers.delete(key);
      }
      const handle = await env.sandbox.startProcess(command, { cwd: env.sandbox.workdir });
      env.servers.set(key, handle);
      const deadline = Date.now() + (wait_sec ?? 30) * 1000;
      try {
        for (;;) {
          const probe = await env.sandbox.exec(probeCommand(port), { timeoutMs: 10_000, signal });
          if (probe.exitCode === 0) break;
          if (!(await handle.running())) {
            env.servers.delete(key);
            const logs = tail(await handle.logs().catch(() => ''));
            return {
              content: `The server exited before port ${port} answered.${logs ? `\nLast output:\n${logs}` : ''}`,
              isError: true,
              progress: `server on port ${port} exited`,
            };
          }
          if (Date.now() > deadline) {
            const logs = tail(await handle.logs().catch(() => ''));
            return {
              content: `Nothing answered on port ${port} within ${wait_sec ?? 30} s (the process is still running; check it listens on 0.0.0.0:${port}).${logs ? `\nLast output:\n${logs}` : ''}`,
              isError: true,
              progress: `server on port ${port} did not answer`,
            };
          }
          await pause(POLL_MS, signal);
        }
      } catch (err) {
        if (signal.aborted) await handle.kill().catch(() => {});
        throw err;
      }
      return {
        content: `Server is up (${shortCommand(command)}).\n${await linkFor(env, port)}`,
        progress: `started server on port ${port}`,
      };
    },
  });
}

export function previewUrlTool(env: CodingToolEnv): LoopTool {
  return defineTool({
    name: 'PreviewUrl',
    description: 'Get a fresh signed preview link for a port a server in the workspace already listens on.',
    input: z.object({ port: z.number().int().min(1).max(65535) }),
    run: async ({ port }) => ({
      content: await linkFor(env, port),
      progress: `preview link for port ${port}`,
    }),
  });
}
