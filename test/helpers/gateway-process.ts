// Runs the real `sandgate` executable as a child process, the way a user would: `gateway` in the
// background (on a random port, reported by its start-up log line) and one-shot CLI commands.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sandgate.mjs');

export interface GatewayProcess {
  child: ChildProcess;
  port: number;
  url: string;
  logs(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SANDGATE_HOME: home, LOG_LEVEL: 'info', ...extra };
  for (const k of ['ANTHROPIC_API_KEY', 'TELEGRAM_BOT_TOKEN', 'DAYTONA_API_KEY', 'SLACK_BOT_TOKEN']) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

/** `node BIN args…`, or through `sh -c 'umask U; exec …'` to start it with that umask. */
function command(args: string[], umask?: number): [string, string[]] {
  if (umask === undefined) return [process.execPath, [BIN, ...args]];
  return [
    '/bin/sh',
    ['-c', `umask ${umask.toString(8).padStart(3, '0')}; exec "$@"`, 'sh', process.execPath, BIN, ...args],
  ];
}

export async function startGatewayProcess(
  home: string,
  extra: Record<string, string> = {},
  timeoutMs = 30_000,
  umask?: number,
): Promise<GatewayProcess> {
  const [cmd, argv] = command(['gateway'], umask);
  const child = spawn(cmd, argv, {
    env: cliEnv(home, { SANDGATE_PORT: '0', ...extra }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), timeoutMs);
    const check = () => {
      const m = /"port":(\d+)[^\n]*sandgate gateway is up/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stderr?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    logs: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export type CliResult = { code: number; stdout: string; stderr: string };

/**
 * `sandgate ARGS` without blocking this process: a spawnSync would stall a fake (model, Slack, a
 * WebSocket server) that lives in this process and that the command talks to. `started` sees the
 * child (to signal it); `cwd` defaults to this process's.
 */
export function cli(
  home: string,
  args: string[],
  extra: Record<string, string> = {},
  o: { cwd?: string; started?: (child: ChildProcess) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cliEnv(home, extra),
      ...(o.cwd ? { cwd: o.cwd } : {}),
    });
    o.started?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function runCli(
  home: string,
  args: string[],
  extra: Record<string, string> = {},
  umask?: number,
): { code: number; stdout: string; stderr: string } {
  const [cmd, argv] = command(args, umask);
  const res = spawnSync(cmd, argv, {
    env: cliEnv(home, extra),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}
