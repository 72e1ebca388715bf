// Choosing the provider from config (DESIGN §6: daytona when a Daytona key is set, else local) and
// what `sandgate doctor` hears about this machine's sandbox support, with a fix for each failure.

import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import {
  createConversationSandboxes,
  createSandboxCommandsFromConfig,
  createSandboxProvider,
  sandboxProviderKind,
} from '../../src/sandbox/factory.js';
import { checkSandboxSystem } from '../../src/sandbox/providers/local/system-check.js';
import { silentLog, tempHome } from './helpers.js';

const deps = (home: string) => ({
  home,
  publicUrl: 'http://127.0.0.1:8787',
  previewSecret: 'x'.repeat(32),
  log: silentLog,
});

describe('sandbox factory', () => {
  it('uses local sandboxes unless a Daytona key is configured, and honours an explicit choice', () => {
    const { home, cleanup } = tempHome();
    const local = configSchema.parse({});
    expect(sandboxProviderKind(local)).toBe('local');
    expect(createSandboxProvider(local, deps(home)).name).toBe('local');
    const withKey = configSchema.parse({ daytona: { apiKey: 'dtn_key', apiUrl: 'http://127.0.0.1:9/api' } });
    expect(sandboxProviderKind(withKey)).toBe('daytona');
    expect(
      sandboxProviderKind(configSchema.parse({ sandbox: { provider: 'local' }, daytona: { apiKey: 'k' } })),
    ).toBe('local');
    expect(() =>
      createSandboxProvider(configSchema.parse({ sandbox: { provider: 'daytona' } }), deps(home)),
    ).toThrow(/DAYTONA_API_KEY/);
    const leases = createConversationSandboxes(local, createSandboxProvider(local, deps(home)), silentLog, {
      gcIntervalMs: 0,
    });
    expect(leases.list()).toEqual([]);
    expect(Object.keys(createSandboxCommandsFromConfig(local)).sort()).toEqual([
      'files',
      'get',
      'preview',
      'py',
      'sh',
    ]);
    cleanup();
  });

  it("reports this machine's sandbox support, and a fix for what is missing", async () => {
    const ok = await checkSandboxSystem();
    expect(ok.checks.map((c) => [c.name, c.ok])).toEqual([
      ['bubblewrap', true],
      ['bubblewrap namespaces', true],
      ['python', true],
    ]);
    expect(ok.ok).toBe(true);
    const bad = await checkSandboxSystem({
      bwrapPath: 'no-such-bwrap-binary',
      python: '/nonexistent/python3',
    });
    expect(bad.ok).toBe(false);
    expect(bad.checks.find((c) => c.name === 'bubblewrap')?.fix).toMatch(/apt install bubblewrap/);
    expect(bad.checks.find((c) => c.name === 'python')?.fix).toMatch(/python3-matplotlib python3-pandas/);
    const none = await checkSandboxSystem({ isolation: 'none' });
    expect(none.checks[0]).toMatchObject({ name: 'isolation', ok: false });
  });

  it('refuses to start local sandboxes without bubblewrap, saying how to fix it', async () => {
    const { home, cleanup } = tempHome();
    const { LocalSandboxProvider } = await import('../../src/sandbox/providers/local/local-provider.js');
    const { PreviewTokens } = await import('../../src/sandbox/preview/preview-tokens.js');
    const p = new LocalSandboxProvider({
      home,
      publicUrl: 'http://x',
      previewTokens: new PreviewTokens({ secret: 'y'.repeat(32) }),
      log: silentLog,
      bwrapPath: 'no-such-bwrap-binary',
    });
    await expect(p.create({ labels: {} })).rejects.toThrow(
      /bubblewrap .*not installed.*apt install bubblewrap/,
    );
    cleanup();
  });

  it('runs unisolated only when asked to, with a loud warning at every start', async () => {
    const { home, cleanup } = tempHome();
    const lines: string[] = [];
    const log = pino(
      { level: 'warn' },
      new Writable({
        write(chunk, _enc, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    const { localProvider } = await import('./helpers.js');
    process.env.ANTHROPIC_API_KEY = 'sk-ant-still-not-inside';
    try {
      const p = localProvider(home, { isolation: 'none', log });
      const box = await p.create({ labels: {} });
      const r = await box.exec('pwd; env');
      expect(r.stdout.split('\n')[0]).toBe(box.workdir);
      expect(r.stdout).not.toContain('sk-ant-still-not-inside');
      expect((await box.runCode('1 + 1')).stdout).toBe('2\n');
      await box.stop();
      await box.exec('true');
      expect(lines.filter((l) => l.includes('SANDBOX ISOLATION IS OFF'))).toHaveLength(2);
      await p.shutdown();
    } finally {
      delete process.env.ANTHROPIC_API_KEY;
      cleanup();
    }
  });
});
