// Each deploy step that fails says which step and gives the server's own reason (Daytona's error
// body, the compiler's or npm's last lines, the gateway's last output). Errors are injected into
// the Daytona fake the way Daytona answers them; the app deployed is a small stand-in package, since
// what is under test here is the reporting, not sandgate itself (daytona-deploy.test.ts runs it).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeployOptions, deployDaytona } from '../../deploy/daytona/deploy.js';
import { DeployUsageError } from '../../deploy/daytona/layout.js';
import { DeployStepError } from '../../deploy/daytona/steps.js';
import type { Config } from '../../src/config/schema.js';
import { type FakeDaytona, startFakeDaytona } from '../fakes/daytona/server.js';
import { tempHome } from '../helpers/temp-home.js';
import { deployConfig, freePreviewPort, recordProgress, sdkFor, standInApp } from './helpers.js';

describe('deploy failures name the step and the reason', () => {
  let fake: FakeDaytona;
  const local = tempHome('sandgate-deploy-fail-');
  let config: Config;
  let opts: DeployOptions;
  const serving = standInApp({ gateway: 'serve' });

  const deploy = (appRoot = serving, o: Partial<DeployOptions> = {}, install = 'true', c = config) =>
    deployDaytona(
      {
        client: sdkFor(fake),
        config: c,
        appRoot,
        progress: recordProgress(),
        install,
        pollMs: 20,
        health: { pollMs: 50 },
      },
      { ...opts, ...o },
    );
  const failure = async (p: Promise<unknown>): Promise<DeployStepError> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeployStepError);
    return err as DeployStepError;
  };

  beforeAll(async () => {
    fake = await startFakeDaytona();
    config = deployConfig(fake, local.home, { anthropic: { apiKey: 'sk-ant-failures-0001' } });
    opts = { port: await freePreviewPort(), expiresSec: 3600, telegramWebhook: false, skipBuild: true };
  });

  afterAll(async () => {
    await fake.close();
    local.cleanup();
  });

  it('check: no Daytona key, or resources without an image, is a usage error before anything is touched', async () => {
    const bare = deployConfig(fake, local.home, { daytona: { apiKey: undefined } });
    await expect(deploy(serving, {}, 'true', bare)).rejects.toThrow(DeployUsageError);
    await expect(deploy(serving, { resources: { cpu: 2 } })).rejects.toThrow(
      /--cpu\/--memory\/--disk apply to --image/,
    );
    await expect(deploy(serving, { telegramWebhook: true })).rejects.toThrow(/needs a Telegram bot token/);
    expect(fake.requests).toHaveLength(0);
  });

  it('build: the compiler output', async () => {
    const broken = standInApp({
      gateway: 'serve',
      build: 'echo "src/x.ts(1,1): error TS2304: Cannot find name \'y\'." && exit 2',
    });
    const err = await failure(deploy(broken, { skipBuild: false }));
    expect(err.step).toBe('build');
    expect(err.reason).toContain('npm run build exited with 2');
    expect(err.reason).toContain("error TS2304: Cannot find name 'y'.");
  });

  it("volume: Daytona's error body", async () => {
    fake.failNext(
      { method: 'GET', path: /^\/api\/volumes\/by-name\// },
      503,
      'Object storage is unavailable in region us',
    );
    const err = await failure(deploy());
    expect(err.step).toBe('volume');
    expect(err.reason).toBe('Daytona answered 503: Object storage is unavailable in region us');
  });

  it("sandbox: Daytona's error body", async () => {
    fake.failNext(
      { method: 'POST', path: /^\/api\/sandbox$/ },
      403,
      'Total CPU quota exceeded. Maximum allowed: 4',
    );
    const err = await failure(deploy());
    expect(err.step).toBe('sandbox');
    expect(err.reason).toBe('Daytona answered 403: Total CPU quota exceeded. Maximum allowed: 4');
    expect([...fake.sandboxes.values()]).toHaveLength(0);
  });

  it("upload: the toolbox's error body", async () => {
    fake.failNext({ method: 'POST', path: /\/files\/bulk-upload$/ }, 507, 'no space left on device');
    const err = await failure(deploy());
    expect(err.step).toBe('upload');
    expect(err.reason).toContain('507');
    expect(err.reason).toContain('no space left on device');
  });

  it("install: npm's exit code and last lines", async () => {
    const npm =
      'echo "npm error code E404" && echo "npm error 404 Not Found - GET https://registry.npmjs.org/nope" && exit 1';
    const err = await failure(deploy(serving, {}, npm));
    expect(err.step).toBe('install');
    expect(err.reason).toContain('npm ci exited with 1');
    expect(err.reason).toContain('npm error 404 Not Found');
  });

  it("start: the toolbox's error body", async () => {
    fake.failNext(
      { method: 'POST', path: /\/process\/session$/ },
      500,
      'failed to create session: too many sessions',
    );
    const err = await failure(deploy());
    expect(err.step).toBe('start');
    expect(err.reason).toBe('Daytona answered 500: failed to create session: too many sessions');
  });

  it('health: a gateway that exits is reported at once, with its last output', async () => {
    const err = await failure(deploy(standInApp({ gateway: 'exit' })));
    expect(err.step).toBe('health');
    expect(err.reason).toContain('the gateway exited with 1');
    expect(err.reason).toContain('EADDRINUSE');
  });

  it("links: Daytona's refusal of the signed URL's expiry", async () => {
    const err = await failure(deploy(serving, { expiresSec: 90_000 }));
    expect(err.step).toBe('links');
    expect(err.reason).toBe('Daytona answered 400: expiresInSeconds must be between 1 and 86400');
  });

  it('after the failures one gateway sandbox exists, and a clean run completes', async () => {
    const result = await deploy();
    expect(result.how).toBe('updated');
    expect((await fetch(result.dashboardUrl.replace(/dashboard\/$/, 'healthz'))).status).toBe(200);
    const gateways = [...fake.sandboxes.values()].filter(
      (s) => s.dto.labels && (s.dto.labels as Record<string, string>).sandgate === 'gateway',
    );
    expect(gateways).toHaveLength(1);
  });
});
