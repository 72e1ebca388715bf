// What a user's process loads: `--version` answers from package.json, and neither a CLI command nor
// the gateway pulls in an SDK whose feature is not configured (the Daytona SDK alone brings
// OpenTelemetry and the AWS SDK). Checked on the module graph a loader hook records, not on timings.

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/temp-home.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'sandgate.mjs');
const TRACE_HOOK = join(ROOT, 'test', 'helpers', 'module-trace', 'register.mjs');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const homes: { cleanup(): void }[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) h.cleanup();
});

function cleanEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, SANDGATE_HOME: home };
  return env;
}

/** The sandgate-relevant packages a process loaded, e.g. `@daytonaio/sdk`. */
function packagesIn(traceFile: string): Set<string> {
  const names = new Set<string>();
  for (const url of readFileSync(traceFile, 'utf8').split('\n')) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

describe('sandgate --version', () => {
  it.each(['--version', '-V'])('%s prints package.json’s version and exits 0', (flag) => {
    const h = tempHome();
    homes.push(h);
    const r = spawnSync(process.execPath, [BIN, flag], { env: cleanEnv(h.home), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });
});

describe('module graph', () => {
  it('pairing list loads neither the Daytona nor the Anthropic SDK when they are not configured', () => {
    const h = tempHome();
    homes.push(h);
    const trace = join(h.home, 'modules.txt');
    const r = spawnSync(process.execPath, ['--import', TRACE_HOOK, BIN, 'pairing', 'list', '--json'], {
      env: { ...cleanEnv(h.home), SANDGATE_TRACE_MODULES: trace },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    const loaded = packagesIn(trace);
    expect(loaded.has('better-sqlite3')).toBe(true); // the trace sees what the command does need
    for (const heavy of ['@daytonaio/sdk', '@anthropic-ai/sdk', 'grammy', '@slack/bolt', 'hono'])
      expect(loaded.has(heavy), heavy).toBe(false);
  });

  it('the gateway, with no Daytona, model, Slack or WhatsApp configured, loads none of their SDKs', async () => {
    const h = tempHome();
    homes.push(h);
    const trace = join(h.home, 'modules.txt');
    const child = spawn(process.execPath, ['--import', TRACE_HOOK, BIN, 'gateway'], {
      env: { ...cleanEnv(h.home), SANDGATE_TRACE_MODULES: trace, SANDGATE_PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('sandgate gateway is up')) resolve();
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) => reject(new Error(`gateway exited ${code}: ${output}`)));
      });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    const loaded = packagesIn(trace);
    expect(loaded.has('hono')).toBe(true);
    for (const heavy of [
      '@daytonaio/sdk',
      '@anthropic-ai/sdk',
      '@slack/bolt',
      '@whiskeysockets/baileys',
      'grammy',
    ])
      expect(loaded.has(heavy), heavy).toBe(false);
  }, 60_000);
});
