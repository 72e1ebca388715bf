// Tool files the assembly mounts into local sandboxes (LocalProviderOptions.toolBinds — the Claude
// Code binary): run read-only inside, also when the gateway is root and the file sits under the
// owner-only state dir (offered through the share), and the share's binds are gone at shutdown.

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localProvider, tempHome } from './helpers.js';

const TARGET = '/opt/sandgate-tools/mytool';

describe('local sandbox: tool files from toolBinds', () => {
  const home = tempHome();
  const dir = join(home.home, 'tools', 'private');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(home.home, 0o700);
  const tool = join(dir, 'mytool');
  writeFileSync(tool, '#!/bin/sh\necho "tool ran as $(id -u) with $1"\n', { mode: 0o755 });
  const provider = localProvider(home.home, { toolBinds: () => [{ source: tool, target: TARGET }] });
  afterAll(() => home.cleanup());

  it('runs the tool inside, read-only, whoever the sandbox user is', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    const r = await box.exec(`${TARGET} hello; echo more >> ${TARGET} 2>/dev/null || echo read-only`);
    expect(r.stdout).toMatch(/^tool ran as \d+ with hello\nread-only\n$/);
    expect(readFileSync(tool, 'utf8')).not.toContain('more');
    // As root the sandbox user cannot pass the owner-only directories: the file came through the share.
    if (process.getuid?.() === 0)
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).toMatch(/\/sandgate\/[0-9a-f]+\/tools\/mytool /);
    await provider.shutdown();
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toMatch(/\/sandgate\/[0-9a-f]+\/tools\//);
  });
});
