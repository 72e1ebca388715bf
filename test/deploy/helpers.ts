// Shared pieces of the deploy tests: a built copy of sandgate to deploy (compiled with the real
// tsc into a temporary package root, so the shared work tree's dist/ is untouched), a free port in
// Daytona's preview range, a progress recorder and configurations pointing at the Daytona fake.

import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Progress } from '../../deploy/daytona/steps.js';
import { validateConfig } from '../../src/config/load.js';
import type { Config, ConfigInput } from '../../src/config/schema.js';
import { daytonaClient } from '../../src/sandbox/providers/daytona/daytona-client.js';
import type { FakeDaytona } from '../fakes/daytona/server.js';

export const REPO = join(import.meta.dirname, '..', '..');

/** The fake sandbox runs on this machine: link this checkout's node_modules instead of `npm ci`. */
export const LINK_NODE_MODULES = `ln -s ${join(REPO, 'node_modules')} node_modules && echo "linked node_modules"`;

/** A package root with the files package.json `files` names, dist/ compiled by tsc. */
export async function builtAppRoot(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'sandgate-app-'));
  for (const f of [
    'package.json',
    'package-lock.json',
    'bin',
    'migrations',
    'dashboard',
    'src/sandbox/runtime',
  ]) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    cpSync(join(REPO, f), join(root, f), { recursive: true });
  }
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '-p', join(REPO, 'tsconfig.build.json'), '--outDir', join(root, 'dist')];
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (c) => resolve({ code: c, output }));
  });
  if (code !== 0) throw new Error(`tsc failed (${code}):\n${output.slice(-4000)}`);
  return root;
}

/** A port in 3000–9999 (Daytona's preview range) that nothing on this machine listens on. */
export async function freePreviewPort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = 3000 + Math.floor(Math.random() * 7000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 3000-9999');
}

export interface RecordedProgress extends Progress {
  lines: { step: string; detail: string }[];
  steps(): string[];
  detail(step: string): string;
}

export function recordProgress(): RecordedProgress {
  const lines: { step: string; detail: string }[] = [];
  return {
    lines,
    begin: () => undefined,
    done: (step, detail) => {
      lines.push({ step, detail });
      if (process.env.DEPLOY_TIMING) console.log(new Date().toISOString(), step, detail.slice(0, 100));
    },
    steps: () => lines.map((l) => l.step),
    detail: (step) => lines.filter((l) => l.step === step).at(-1)?.detail ?? '',
  };
}

export function deployConfig(fake: FakeDaytona, home: string, extra: ConfigInput = {}): Config {
  return validateConfig(
    { ...extra, daytona: { apiKey: fake.apiKey, apiUrl: fake.apiUrl, ...(extra.daytona ?? {}) } },
    home,
  );
}

/** The SDK as deploy uses it, polling for state changes (the fake has no event stream). */
export function sdkFor(fake: FakeDaytona) {
  return daytonaClient({ apiKey: fake.apiKey, apiUrl: fake.apiUrl, polling: true });
}

/** A package with sandgate's shape: its gateway serves /healthz, or exits at once with `exit`. */
export function standInApp(o: { gateway: 'serve' | 'exit'; build?: string }): string {
  const root = mkdtempSync(join(tmpdir(), 'sandgate-standin-'));
  const pkg = { name: 'sandgate', version: '0.0.0', files: ['bin/'], scripts: { build: o.build ?? 'true' } };
  writeFileSync(join(root, 'package.json'), JSON.stringify(pkg));
  writeFileSync(
    join(root, 'package-lock.json'),
    JSON.stringify({ name: 'sandgate', lockfileVersion: 3, packages: {} }),
  );
  mkdirSync(join(root, 'bin'));
  const bin = join(root, 'bin', 'sandgate.mjs');
  writeFileSync(
    bin,
    o.gateway === 'exit'
      ? "console.error('Error: listen EADDRINUSE: address already in use 0.0.0.0:8787'); process.exit(1);\n"
      : [
          "import { createServer } from 'node:http';",
          'const [cmd, , url] = process.argv.slice(2);',
          "if (cmd === 'dashboard') console.log(url + '/dashboard/#link=stand-in');",
          "else createServer((q, s) => s.end('{\"ok\":true}')).listen(Number(process.env.SANDGATE_PORT), '0.0.0.0');",
          '',
        ].join('\n'),
  );
  chmodSync(bin, 0o755);
  return root;
}
