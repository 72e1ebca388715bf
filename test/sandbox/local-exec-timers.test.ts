// A finished command leaves no timer behind in the gateway: otherwise a one-shot process (the CLI, a
// benchmark) that ran quick commands waits out their whole timeout before it can exit. The sandbox
// runs against a protocol fake of the supervisor that reports a spawn and its exit in one write, the
// ordering a fast command produces on a busy machine.

import { createHook } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalSandbox } from '../../src/sandbox/providers/local/local-sandbox.js';
import { silentLog, tempHome } from './helpers.js';

const FAKE_SUPERVISOR = `
let buf = '';
process.stdout.write(JSON.stringify({ ev: 'ready', pid: process.pid, workdir: '/w' }) + '\\n');
process.stdin.on('data', (d) => {
  buf += d;
  for (let nl = buf.indexOf('\\n'); nl >= 0; nl = buf.indexOf('\\n')) {
    const msg = JSON.parse(buf.slice(0, nl));
    buf = buf.slice(nl + 1);
    if (msg.op !== 'spawn') continue;
    process.stdout.write(
      JSON.stringify({ ev: 'spawned', id: msg.id, pid: 7 }) + '\\n' +
      JSON.stringify({ ev: 'out', id: msg.id, fd: 1, data: Buffer.from('hi\\n').toString('base64') }) + '\\n' +
      JSON.stringify({ ev: 'exit', id: msg.id, code: 0, signal: null }) + '\\n',
    );
  }
});
process.stdin.on('end', () => process.exit(0));
`;

/**
 * Timers created in this test file and not yet cleared or fired: vitest's own timers in this worker
 * come and go, so a process-wide count would measure them too.
 */
const liveTimers = new Set<number>();
createHook({
  init: (id, type) => void (type === 'Timeout' && liveTimers.add(id)),
  destroy: (id) => void liveTimers.delete(id),
}).enable();
const timers = () => liveTimers.size;
/** Lets cleared timers report their end (async_hooks emits destroy a turn later). */
const settled = () => new Promise((r) => setTimeout(r, 50));

describe('local exec', () => {
  it('leaves no timer running once a quick command has finished', async () => {
    const { home, cleanup } = tempHome();
    const script = join(home, 'fake-supervisor.mjs');
    const meta = join(home, 'meta.json');
    writeFileSync(script, FAKE_SUPERVISOR);
    writeFileSync(meta, '{}');
    const box = new LocalSandbox({
      id: 'sb-faketimers',
      workdir: '/w',
      privateTmp: false,
      metaFile: meta,
      launch: async () => ({ command: process.execPath, args: [script], env: {}, runtimeDir: '/r' }),
      env: {},
      limits: {},
      python: '/usr/bin/python3',
      execTimeoutMs: 3_600_000,
      interruptGraceMs: 500,
      outputCap: 1024,
      maxFileBytes: 1024,
      previewTtlSec: 3600,
      signPreview: () => ({ url: 'http://x/', expiresAt: new Date() }),
      onStart: () => undefined,
      onUse: () => undefined,
      onStopped: async () => undefined,
      onDelete: async () => undefined,
      relabel: async () => undefined,
      log: silentLog,
    });
    try {
      await box.exec('true'); // starts the fake supervisor
      await settled();
      const before = timers();
      for (let i = 0; i < 5; i++) expect((await box.exec('echo hi')).stdout).toBe('hi\n');
      await settled();
      expect(timers()).toBe(before);
    } finally {
      await box.stop();
      cleanup();
    }
  });
});
