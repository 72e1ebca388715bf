// `sandgate setup claude-code` with the real npm (its cache first, else the registry), `sandgate
// doctor` before and after, and /claude's answer through a running gateway when nothing is installed.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sandgate.mjs');

function sandgate(home: string, args: string[], extra: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(home, extra) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

interface Check {
  name: string;
  level: string;
  detail: string;
  fix?: string;
}

async function claudeCheck(home: string): Promise<Check | undefined> {
  const r = await sandgate(home, ['doctor', '--json']);
  return (JSON.parse(r.stdout) as Check[]).find((c) => c.name.startsWith('claude code'));
}

describe('sandgate setup claude-code', () => {
  const home = tempHome();
  afterAll(() => home.cleanup());

  it('without a binary: doctor says how to install it, and /claude answers with that exact command', async () => {
    expect(await claudeCheck(home.home)).toMatchObject({ level: 'warn', fix: 'sandgate setup claude-code' });
    const gw = await startGatewayProcess(home.home, { ANTHROPIC_API_KEY: 'sk-ant-unused-0123456789' });
    try {
      const r = await sandgate(home.home, ['chat', '-c', 'cc', '-m', '/claude write a haiku'], {
        SANDGATE_PORT: String(gw.port),
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Claude Code is not installed');
      expect(r.stdout).toContain('  sandgate setup claude-code');
    } finally {
      await gw.stop();
    }
  });

  it('installs the pinned package under $SANDGATE_HOME/tools; doctor then finds it and it runs', async () => {
    const r = await sandgate(home.home, ['setup', 'claude-code'], { npm_config_prefer_offline: 'true' });
    expect(r.stderr).not.toMatch(/sandgate: /);
    expect(r.code).toBe(0);
    const bin = /Installed 2\.1\.332 \(Claude Code\) at (\S+)/.exec(r.stdout)?.[1] ?? '';
    expect(bin.startsWith(join(home.home, 'tools', 'node_modules'))).toBe(true);
    expect(existsSync(bin)).toBe(true);
    const check = await claudeCheck(home.home);
    expect(check).toMatchObject({ level: 'ok' });
    expect(check?.detail).toContain(`2.1.332 (Claude Code) at ${bin}`);
  }, 600_000);

  it('an agents.claude.bin that is not a program is reported, not used', async () => {
    const r = await sandgate(home.home, ['doctor', '--json'], {
      SANDGATE_CLAUDE_BIN: join(home.home, 'nope'),
    });
    const check = (JSON.parse(r.stdout) as Check[]).find((c) => c.name.startsWith('claude code'));
    expect(check?.level).toBe('warn');
    expect(check?.detail).toContain('no such file');
  });
});
