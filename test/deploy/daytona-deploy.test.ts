// `sandgate deploy daytona` end to end through the real @daytonaio/sdk against the Daytona fake:
// the compiled app really runs as the deployed gateway inside the fake sandbox, creates its own
// child sandboxes through the fake, and is redeployed in place, replaced, inspected and stopped.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeployOptions, deployDaytona } from '../../deploy/daytona/deploy.js';
import { VOLUME_MOUNT_PATH } from '../../deploy/daytona/layout.js';
import {
  deploymentStatus,
  destroyDeployment,
  gatewayLogs,
  stopDeployment,
} from '../../deploy/daytona/manage.js';
import type { Config } from '../../src/config/schema.js';
import { type FakeDaytona, startFakeDaytona } from '../fakes/daytona/server.js';
import { tempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  builtAppRoot,
  deployConfig,
  freePreviewPort,
  LINK_NODE_MODULES,
  recordProgress,
  sdkFor,
} from './helpers.js';

const SECRETS = {
  ANTHROPIC_API_KEY: 'sk-ant-deploy-secret-0001',
  TELEGRAM_WEBHOOK_SECRET: 'webhook-deploy-secret-0002',
  SANDGATE_GATEWAY_TOKEN: 'gateway-token-deploy-secret-0003',
};

describe('sandgate deploy daytona', () => {
  let fake: FakeDaytona;
  let appRoot: string;
  let port: number;
  const local = tempHome('sandgate-deploy-local-');
  let config: Config;
  let opts: DeployOptions;
  let firstMessageId: number;

  const gatewayCreates = () =>
    fake.requests.filter(
      (r) =>
        r.method === 'POST' &&
        r.path === '/sandbox' &&
        (r.body as { name?: string }).name === 'sandgate-gateway',
    );
  const gatewayBox = () => {
    const found = [...fake.sandboxes.values()].filter((s) => s.dto.name === 'sandgate-gateway');
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const deploy = (progress = recordProgress(), o: Partial<DeployOptions> = {}) =>
    deployDaytona(
      {
        client: sdkFor(fake),
        config,
        appRoot,
        progress,
        install: LINK_NODE_MODULES,
        pollMs: 20,
        health: { pollMs: 50 },
      },
      { ...opts, ...o },
    ).then((result) => ({ result, progress }));
  /** The deployed gateway's API, reached the way a program reaches it: through the preview link. */
  const api = async (path: string, init: RequestInit = {}) => {
    const sb = await sdkFor(fake).get('sandgate-gateway');
    const link = await sb.getPreviewLink(port);
    return await fetch(`${link.url}/api${path}`, {
      ...init,
      headers: {
        'x-daytona-preview-token': link.token,
        authorization: `Bearer ${SECRETS.SANDGATE_GATEWAY_TOKEN}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });
  };
  /** Sends a chat message to the deployed gateway; returns the conversation's events up to `until`. */
  const chat = async (
    conversation: string,
    text: string,
    until: string,
  ): Promise<{ id: number; reply: string }> => {
    const posted = (await (
      await api('/local/messages', { method: 'POST', body: JSON.stringify({ conversation, text }) })
    ).json()) as { id: number };
    await waitFor(
      async () =>
        ((await (await api(`/local/messages/${posted.id}`)).json()) as { complete: boolean }).complete,
      'the deployed gateway to answer',
      60_000,
    );
    const stop = new AbortController();
    const res = await api(`/local/events?conversation=${conversation}`, { signal: stop.signal });
    const reader = res.body!.getReader();
    let seen = '';
    while (!seen.includes(until)) seen += new TextDecoder().decode((await reader.read()).value);
    stop.abort();
    return { id: posted.id, reply: seen };
  };

  beforeAll(async () => {
    [fake, appRoot, port] = await Promise.all([startFakeDaytona(), builtAppRoot(), freePreviewPort()]);
    config = deployConfig(fake, local.home, {
      gatewayToken: SECRETS.SANDGATE_GATEWAY_TOKEN,
      anthropic: { apiKey: SECRETS.ANTHROPIC_API_KEY },
      telegram: { webhookSecret: SECRETS.TELEGRAM_WEBHOOK_SECRET },
    });
    opts = { port, expiresSec: 7200, telegramWebhook: false, skipBuild: true };
  }, 240_000);

  afterAll(async () => {
    await fake?.close();
    local.cleanup();
  });

  it('creates the volume and one labelled, always-on sandbox holding the secrets, runs the compiled app there and prints working links', async () => {
    const { result, progress } = await deploy();
    expect(progress.steps()).toEqual([
      'check',
      'pack',
      'volume',
      'sandbox',
      'upload',
      'install',
      'stop old gateway',
      'start',
      'health',
      'links',
    ]);
    expect(result.how).toBe('created');
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === '/volumes')).toBe(true);
    const volume = fake.volumes.byName('sandgate-gateway-state')!;
    expect(gatewayCreates()).toHaveLength(1);
    const body = gatewayCreates()[0]!.body as Record<string, unknown>;
    expect(body).toMatchObject({
      name: 'sandgate-gateway',
      labels: { sandgate: 'gateway' },
      autoStopInterval: 0,
      autoDeleteInterval: -1,
      public: false,
      snapshot: 'daytona-medium',
      volumes: [{ volumeId: volume.dto.id, mountPath: VOLUME_MOUNT_PATH }],
      env: {
        ...SECRETS,
        DAYTONA_API_KEY: fake.apiKey,
        DAYTONA_API_URL: fake.apiUrl,
        SANDGATE_SANDBOX: 'daytona',
      },
    });
    // Per-sandbox settings travel on the start command, not in the env.
    expect(Object.keys(body.env as object)).not.toContain('SANDGATE_PORT');

    // The release is the compiled one: dist/ without the TypeScript sources.
    const app = join(gatewayBox().box.workdir, 'sandgate-app');
    expect(existsSync(join(app, 'dist', 'src', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(app, 'src', 'cli'))).toBe(false);
    expect(existsSync(join(app, 'src', 'sandbox', 'runtime', 'driver.py'))).toBe(true);

    // The signed URL opens the dashboard with no header; the sandbox itself stays private.
    expect(result.expiresAt.getTime() - Date.now()).toBeGreaterThan(7000 * 1000);
    const page = await fetch(result.dashboardUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    expect(result.loginLink.startsWith(`${result.dashboardUrl}#link=`)).toBe(true);
    const sb = await sdkFor(fake).get('sandgate-gateway');
    expect((await fetch(`${(await sb.getPreviewLink(port)).url}/healthz`)).status).toBe(401);
  }, 120_000);

  it("the deployed gateway's child sandboxes are Daytona sandboxes that carry none of its secrets", async () => {
    const before = fake.requests.length;
    const { id, reply } = await chat('deploy-test', '/sh env', 'HOME=');
    firstMessageId = id;
    const childCreates = fake.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.path === '/sandbox');
    expect(childCreates.length).toBeGreaterThan(0);
    for (const create of childCreates) {
      expect((create.body as { labels: Record<string, string> }).labels.sandgate).toBe('1');
      for (const secret of [...Object.values(SECRETS), fake.apiKey])
        expect(JSON.stringify(create.body)).not.toContain(secret);
    }
    // What the sandbox user sees: the command ran in the child, whose environment has no secret.
    expect(reply).toContain('HOME=');
    for (const secret of [...Object.values(SECRETS), fake.apiKey]) expect(reply).not.toContain(secret);
  }, 90_000);

  it('a second deploy reuses the sandbox, swaps in the new release and keeps the state', async () => {
    const id = gatewayBox().dto.id;
    const { result, progress } = await deploy();
    expect(result.how).toBe('updated');
    expect(result.sandboxId).toBe(id);
    expect(gatewayCreates()).toHaveLength(1);
    expect(progress.detail('sandbox')).toContain('reusing sandgate-gateway');
    expect(progress.detail('stop old gateway')).toMatch(/gateway stopped; state copied to the volume/);
    expect(
      readdirSync(fake.volumes.byName('sandgate-gateway-state')!.dir).some((f) => f.startsWith('state-')),
    ).toBe(true);
    expect(progress.detail('start')).toContain('state kept');
    const status = (await (await api(`/local/messages/${firstMessageId}`)).json()) as { id: number };
    expect(status.id).toBe(firstMessageId);
  }, 120_000);

  it('changed secrets replace the sandbox (Daytona cannot change its env) and the state comes back from the volume', async () => {
    const oldId = gatewayBox().dto.id as string;
    config = deployConfig(fake, local.home, {
      gatewayToken: SECRETS.SANDGATE_GATEWAY_TOKEN,
      anthropic: { apiKey: 'sk-ant-rotated-0004' },
      telegram: { webhookSecret: SECRETS.TELEGRAM_WEBHOOK_SECRET },
    });
    const { result, progress } = await deploy();
    expect(result.how).toBe('replaced');
    expect(result.sandboxId).not.toBe(oldId);
    expect(fake.sandboxes.has(oldId)).toBe(false);
    expect(gatewayBox().box.env.ANTHROPIC_API_KEY).toBe('sk-ant-rotated-0004');
    expect(progress.detail('sandbox')).toContain('secrets or settings (env)');
    expect(progress.detail('start')).toMatch(/restored state-/);
    const status = (await (await api(`/local/messages/${firstMessageId}`)).json()) as { id: number };
    expect(status.id).toBe(firstMessageId);
  }, 120_000);

  it('--status and --logs describe the running gateway', async () => {
    const status = await deploymentStatus(sdkFor(fake));
    expect(status).toMatchObject({
      sandbox: { name: 'sandgate-gateway', state: 'started', autoStopMinutes: 0, public: false },
      volume: { name: 'sandgate-gateway-state', state: 'ready' },
      port,
      gateway: 'running',
      health: 'ok',
    });
    let out = '';
    await gatewayLogs(sdkFor(fake), { follow: false, stdout: (s) => (out += s), stderr: (s) => (out += s) });
    expect(out).toContain('sandgate gateway is up');
    const stop = new AbortController();
    let followed = '';
    await gatewayLogs(sdkFor(fake), {
      follow: true,
      stdout: (s) => {
        followed += s;
        if (followed.includes('sandgate gateway is up')) stop.abort();
      },
      stderr: (s) => {
        followed += s;
        if (followed.includes('sandgate gateway is up')) stop.abort();
      },
      signal: stop.signal,
    });
    expect(followed).toContain('sandgate gateway is up');
  }, 60_000);

  it('--stop stops the gateway, copies its state and stops the sandbox; a deploy brings it back', async () => {
    const progress = recordProgress();
    await stopDeployment(sdkFor(fake), progress);
    expect(progress.detail('stop gateway')).toMatch(/gateway stopped; state copied/);
    expect(gatewayBox().dto.state).toBe('stopped');
    expect((await deploymentStatus(sdkFor(fake))).gateway).toBe('not started');
    const { result, progress: again } = await deploy();
    expect(result.how).toBe('updated');
    expect(again.detail('sandbox')).toContain('started it');
    expect((await deploymentStatus(sdkFor(fake))).health).toBe('ok');
  }, 120_000);

  it('--destroy --keep-volume keeps the state for the next deploy; --destroy removes both', async () => {
    const kept = recordProgress();
    await destroyDeployment(sdkFor(fake), kept, true);
    expect([...fake.sandboxes.values()].some((s) => s.dto.name === 'sandgate-gateway')).toBe(false);
    expect(fake.volumes.byName('sandgate-gateway-state')).toBeDefined();
    const { result, progress } = await deploy();
    expect(result.how).toBe('created');
    expect(progress.detail('start')).toMatch(/restored state-/);
    const status = (await (await api(`/local/messages/${firstMessageId}`)).json()) as { id: number };
    expect(status.id).toBe(firstMessageId);

    const gone = recordProgress();
    await destroyDeployment(sdkFor(fake), gone, false);
    expect(gone.steps()).toEqual(['delete sandbox', 'delete volume']);
    expect(fake.volumes.byName('sandgate-gateway-state')).toBeUndefined();
    expect([...fake.sandboxes.values()].some((s) => s.dto.name === 'sandgate-gateway')).toBe(false);
  }, 120_000);
});
