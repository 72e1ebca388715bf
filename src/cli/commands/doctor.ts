// `sandgate doctor`: checks what the gateway needs from this machine and its configuration, and
// says how to fix each problem. Exit code 1 when something required is missing.

import { execFileSync } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { policyWarnings } from '../../../pairing/index.js';
import type { Config } from '../../config/schema.js';
import type { RegisterCommands } from '../cli-env.js';

export interface Check {
  name: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  try {
    return {
      ok: true,
      out: execFileSync(cmd, args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 15_000,
      }).trim(),
    };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { ok: false, out: (e.stderr || e.message).trim().split('\n').slice(-1)[0] ?? '' };
  }
}

export function systemChecks(config: Config): Check[] {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push(
    major >= 20
      ? { name: 'node', level: 'ok', detail: `Node ${process.versions.node}` }
      : {
          name: 'node',
          level: 'fail',
          detail: `Node ${process.versions.node}`,
          fix: 'install Node.js 20 or newer',
        },
  );
  try {
    const db = new Database(':memory:');
    const v = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
    db.close();
    checks.push({ name: 'sqlite', level: 'ok', detail: `better-sqlite3 with SQLite ${v}` });
  } catch (err) {
    checks.push({
      name: 'sqlite',
      level: 'fail',
      detail: (err as Error).message,
      fix: 'run `npm ci` with Node 20 (better-sqlite3 12.x)',
    });
  }
  if (config.sandbox.provider === 'local') {
    if (config.sandbox.local.isolation === 'none') {
      checks.push({
        name: 'bubblewrap',
        level: 'warn',
        detail: 'sandbox.local.isolation = "none": agents run WITHOUT isolation',
        fix: 'sandgate config unset sandbox.local.isolation',
      });
    } else {
      const probe = run('bwrap', [
        '--ro-bind',
        '/',
        '/',
        '--unshare-pid',
        '--dev',
        '/dev',
        '--proc',
        '/proc',
        'true',
      ]);
      checks.push(
        probe.ok
          ? { name: 'bubblewrap', level: 'ok', detail: 'bwrap works' }
          : {
              name: 'bubblewrap',
              level: 'fail',
              detail: `bwrap failed: ${probe.out}`,
              fix: 'apt-get install bubblewrap (or set sandbox.local.isolation = "none", much weaker)',
            },
      );
    }
    const py = config.sandbox.local.python;
    const libs = run(py, [
      '-c',
      'import matplotlib, pandas; print(matplotlib.__version__, pandas.__version__)',
    ]);
    checks.push(
      libs.ok
        ? {
            name: 'python',
            level: 'ok',
            detail: `${py} with matplotlib ${libs.out.split(' ')[0]}, pandas ${libs.out.split(' ')[1]}`,
          }
        : {
            name: 'python',
            level: 'warn',
            detail: `${py}: ${libs.out}`,
            fix: 'apt-get install python3 python3-matplotlib python3-pandas (needed by /py and the analysis agent)',
          },
    );
  } else {
    checks.push(
      config.daytona.apiKey
        ? {
            name: 'daytona',
            level: 'ok',
            detail: `sandboxes on Daytona${config.daytona.apiUrl ? ` (${config.daytona.apiUrl})` : ''}`,
          }
        : {
            name: 'daytona',
            level: 'fail',
            detail: 'sandbox.provider is daytona but no API key',
            fix: 'set DAYTONA_API_KEY',
          },
    );
  }
  try {
    const fs = statfsSync(dirname(config.home));
    const freeGb = (fs.bavail * fs.bsize) / 1024 ** 3;
    checks.push({
      name: 'disk',
      level: freeGb < 1 ? 'warn' : 'ok',
      detail: `${freeGb.toFixed(1)} GiB free near ${config.home}`,
      ...(freeGb < 1 ? { fix: 'free some disk space' } : {}),
    });
  } catch {
    checks.push({ name: 'disk', level: 'warn', detail: `cannot read free space near ${config.home}` });
  }
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(config.bind) || config.bind.startsWith('127.');
  checks.push(
    loopback
      ? { name: 'exposure', level: 'ok', detail: `HTTP bound to ${config.bind} (this machine only)` }
      : {
          name: 'exposure',
          level: 'warn',
          detail: `HTTP bound to ${config.bind}: reachable from the network`,
          fix: 'put it behind HTTPS, or bind 127.0.0.1 (sandgate config set bind 127.0.0.1)',
        },
  );
  checks.push(
    config.anthropic.apiKey
      ? { name: 'model', level: 'ok', detail: `Anthropic key set, model ${config.anthropic.model}` }
      : {
          name: 'model',
          level: 'warn',
          detail: 'no Anthropic key: agents will not answer (/sh and /py work)',
          fix: 'sandgate config set anthropic.apiKey sk-ant-… (or ANTHROPIC_API_KEY)',
        },
  );
  for (const warning of policyWarnings(config))
    checks.push({ name: 'access policy', level: 'warn', detail: warning });
  return checks;
}

const ICON = { ok: '✓', warn: '!', fail: '✗' } as const;

export const registerDoctorCommand: RegisterCommands = (program, env) => {
  program
    .command('doctor')
    .option('--json', 'machine-readable output')
    .description('check system dependencies, configuration and exposure')
    .action((opts: { json?: boolean }) => {
      const checks = systemChecks(env.config());
      if (opts.json) env.json(checks);
      else {
        for (const c of checks) {
          env.out(`${ICON[c.level]} ${c.name.padEnd(16)} ${c.detail}`);
          if (c.fix && c.level !== 'ok') env.out(`  → ${c.fix}`);
        }
      }
      if (checks.some((c) => c.level === 'fail')) process.exitCode = 1;
    });
};
