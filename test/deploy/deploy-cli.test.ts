// `sandgate deploy daytona` as a user types it (the real executable): bad flags exit 2 with a
// message saying what is allowed, Daytona's refusals and "nothing deployed" exit 1 with the reason.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDaytona, startFakeDaytona } from '../fakes/daytona/server.js';
import { cliEnv } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { REPO } from './helpers.js';

const BIN = join(REPO, 'bin', 'sandgate.mjs');

function sandgate(home: string, args: string[], extra: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cliEnv(home, extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('sandgate deploy daytona (command line)', () => {
  let fake: FakeDaytona;
  const local = tempHome('sandgate-deploy-cli-');
  let daytona: Record<string, string>;

  beforeAll(async () => {
    fake = await startFakeDaytona();
    daytona = { DAYTONA_API_KEY: fake.apiKey, DAYTONA_API_URL: fake.apiUrl };
  });
  afterAll(async () => {
    await fake.close();
    local.cleanup();
  });

  it('refuses a bad flag with exit 2 and says what is allowed, before calling Daytona', async () => {
    const r = await sandgate(local.home, ['deploy', 'daytona', '--expires', '25h'], daytona);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/a signed preview URL lasts 1 s to 24 h/);
    expect(fake.requests).toHaveLength(0);
  }, 60_000);

  it('--status with nothing deployed, and a refused key, exit 1 with the reason', async () => {
    const none = await sandgate(local.home, ['deploy', 'daytona', '--status'], daytona);
    expect(none.code).toBe(1);
    expect(none.err).toContain('no sandgate-gateway sandbox');
    const refused = await sandgate(local.home, ['deploy', 'daytona', '--status'], {
      ...daytona,
      DAYTONA_API_KEY: 'dtn_wrong',
    });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('Daytona answered 401: Unauthorized');
  }, 60_000);
});
