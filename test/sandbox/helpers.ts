// Shared set-up for sandbox tests: a throwaway SANDGATE_HOME, a silent logger, a local provider with
// small limits so runaway code is stopped quickly on a shared 2-core machine, and a Daytona provider
// talking to the protocol fake through the real SDK.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { PreviewTokens } from '../../src/sandbox/preview/preview-tokens.js';
import { daytonaClient } from '../../src/sandbox/providers/daytona/daytona-client.js';
import {
  type DaytonaProviderOptions,
  DaytonaSandboxProvider,
} from '../../src/sandbox/providers/daytona/daytona-provider.js';
import {
  type LocalProviderOptions,
  LocalSandboxProvider,
} from '../../src/sandbox/providers/local/local-provider.js';

export const silentLog = pino({ level: 'silent' });

export function tempHome(): { home: string; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), 'sandgate-test-'));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** The Daytona provider on the real SDK against `fake` (test/fakes/daytona), with the gateway's defaults. */
export function daytonaProvider(
  fake: { apiKey: string; apiUrl: string },
  extra: Partial<DaytonaProviderOptions> = {},
): DaytonaSandboxProvider {
  return new DaytonaSandboxProvider({
    client: daytonaClient({ apiKey: fake.apiKey, apiUrl: fake.apiUrl, polling: true }),
    log: silentLog,
    autoStopMinutes: 15,
    autoDeleteMinutes: 60,
    interruptGraceMs: 500,
    ...extra,
  });
}

export function localProvider(home: string, extra: Partial<LocalProviderOptions> = {}): LocalSandboxProvider {
  return new LocalSandboxProvider({
    home,
    publicUrl: 'http://127.0.0.1:1',
    previewTokens: new PreviewTokens({
      secret: 'test-secret-0123456789abcdef',
      revocationFile: join(home, 'preview-revocations.json'),
    }),
    log: silentLog,
    limits: { memoryMb: 512, maxProcesses: 64, maxFileMb: 64, cpuSeconds: 60 },
    execTimeoutMs: 20_000,
    interruptGraceMs: 500,
    ...extra,
  });
}

/**
 * What local sandboxes of this home hold on the host: their cgroups (any hierarchy) and mounted
 * workspaces. Empty once every sandbox is deleted or the provider shut down.
 */
export function leftovers(home: string): string[] {
  const out: string[] = [];
  const dir = realpathSync(join(home, 'sandboxes'));
  const instance = createHash('sha256').update(dir).digest('hex').slice(0, 12);
  for (const h of readdirSync('/sys/fs/cgroup')) {
    const base = join('/sys/fs/cgroup', h, 'sandgate', instance);
    if (!existsSync(base)) continue;
    out.push(`cgroup ${base}`);
    for (const e of readdirSync(base, { withFileTypes: true }))
      if (e.isDirectory()) out.push(`cgroup ${join(base, e.name)}`);
  }
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const point = line.split(' ')[4];
    if (point?.startsWith(`${dir}/`)) out.push(`mount ${point}`);
  }
  return out;
}

export const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

export async function until<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
