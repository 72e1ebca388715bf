// TypeScript for sandboxed code: the gateway's pinned `typescript` package is mounted read-only at
// /opt/typescript in local (bubblewrap) sandboxes, which have no network to fetch one; a package the
// sandbox uid could not reach is left out rather than breaking every sandbox.

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/provider.js';
import type { LocalSandboxProvider } from '../../src/sandbox/providers/local/local-provider.js';
import { localToolBinds } from '../../src/sandbox/providers/local/local-tool-binds.js';
import { hostTypeScriptDir, SANDBOX_TYPESCRIPT_DIR } from '../../src/sandbox/typescript-runtime.js';
import { localProvider, silentLog, tempHome } from './helpers.js';

describe('TypeScript in local sandboxes', () => {
  const home = tempHome();
  let provider: LocalSandboxProvider;
  let sandbox: Sandbox;

  beforeAll(async () => {
    // Node's V8 needs ~750 MB of address space; the other sandbox tests' 512 MB is too little.
    provider = localProvider(home.home, {
      limits: { memoryMb: 2048, maxProcesses: 64, maxFileMb: 64, cpuSeconds: 60 },
    });
    sandbox = await provider.create({ labels: { test: 'typescript' } });
  });
  afterAll(async () => {
    await provider.shutdown();
    home.cleanup();
  });

  it('node inside can load the pinned TypeScript and transpile with it; the mount is read-only', async () => {
    const script = `const ts = require('${SANDBOX_TYPESCRIPT_DIR}/lib/typescript.js'); console.log(ts.version, ts.transpileModule('const n: number = 1', { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText.trim())`;
    const r = await sandbox.exec(`node -e ${JSON.stringify(script)}`);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('5.9.3 const n = 1;');
    const write = await sandbox.exec(`touch ${SANDBOX_TYPESCRIPT_DIR}/lib/x.js`);
    expect(write.exitCode).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);
  });

  it('leaves out a package the sandbox uid cannot reach, with one warning', () => {
    const hidden = join(home.home, 'private');
    mkdirSync(join(hidden, 'typescript'), { recursive: true });
    writeFileSync(join(hidden, 'typescript', 'package.json'), '{}');
    chmodSync(hidden, 0o700);
    const warnings: string[] = [];
    const log = { ...silentLog, warn: (_o: unknown, msg: string) => void warnings.push(msg) } as never;
    const nobody = { uid: 65534, gid: 65534 };
    expect(localToolBinds(nobody, log, join(hidden, 'typescript'))).toEqual([]);
    expect(localToolBinds(nobody, log, join(hidden, 'typescript'))).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(localToolBinds(undefined, log, hostTypeScriptDir())).toEqual([
      { source: expect.stringMatching(/node_modules\/typescript$/), target: SANDBOX_TYPESCRIPT_DIR },
    ]);
  });
});
