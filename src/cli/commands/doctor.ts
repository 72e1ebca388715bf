// `sandgate doctor`: checks what the gateway needs from this machine and its configuration, and
// says how to fix each problem. Exit code 1 when something required is missing.

import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ChannelStatus } from '../../../channels/channel.js';
import { policyWarnings } from '../../../pairing/index.js';
import type { Config } from '../../config/schema.js';
import { checkSandboxSystem } from '../../sandbox/providers/local/system-check.js';
import type { RegisterCommands } from '../cli-env.js';
import { gatewayClient } from '../gateway-client.js';
import { claudeCodeCheck } from './doctor-claude.js';
import { containmentChecks, stateModeChecks } from './doctor-host-safety.js';

export interface Check {
  name: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

export async function systemChecks(config: Config): Promise<Check[]> {
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
    const report = await checkSandboxSystem({
      isolation: config.sandbox.local.isolation,
      python: config.sandbox.local.python,
      runAs: { uid: config.sandbox.local.runAsUid, gid: config.sandbox.local.runAsGid },
    });
    for (const c of report.checks) {
      // Python libraries only matter to /py and the analysis agent: a warning, not a failure.
      const level = c.ok ? 'ok' : c.name.startsWith('python') ? 'warn' : 'fail';
      checks.push({ name: c.name, level, detail: c.detail, ...(c.fix ? { fix: c.fix } : {}) });
    }
    checks.push(...(await containmentChecks(config)));
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
  checks.push(...stateModeChecks(config.home));
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
  checks.push(claudeCodeCheck(config));
  for (const warning of policyWarnings(config))
    checks.push({ name: 'access policy', level: 'warn', detail: warning });
  return checks;
}

/** Per-channel checks, loaded only for a configured channel (so its SDK is not loaded otherwise). */
async function channelChecks(env: Parameters<RegisterCommands>[1]): Promise<Check[]> {
  const config = env.config();
  if (!config.slack.botToken) return [];
  const { slackDoctorChecks } = await import('../../../channels/slack/doctor-checks.js');
  const client = gatewayClient(env);
  return slackDoctorChecks(config, async () => {
    if (!(await client.running())) return undefined;
    const body = (await (await client.api('/status')).json()) as {
      channels: { id: string; status: ChannelStatus }[];
    };
    return body.channels.find((c) => c.id === 'slack')?.status;
  });
}

const ICON = { ok: '✓', warn: '!', fail: '✗' } as const;

export const registerDoctorCommand: RegisterCommands = (program, env) => {
  program
    .command('doctor')
    .option('--json', 'machine-readable output')
    .description('check system dependencies, configuration and exposure')
    .action(async (opts: { json?: boolean }) => {
      const checks = await systemChecks(env.config());
      checks.push(...(await channelChecks(env)));
      if (opts.json) env.json(checks);
      else {
        for (const c of checks) {
          env.out(`${ICON[c.level]} ${c.name.padEnd(22)} ${c.detail}`);
          if (c.fix && c.level !== 'ok') env.out(`  → ${c.fix}`);
        }
      }
      if (checks.some((c) => c.level === 'fail')) process.exitCode = 1;
    });
};
