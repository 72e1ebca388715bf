// `sandgate deploy daytona`: the steps of DESIGN §9.6, in order, each reported and each failing with
// its own name and Daytona's reason. Re-running updates the app in place in the same sandbox (the new
// release is installed beside the running one, then swapped in); a sandbox whose fixed settings
// changed is replaced, its state carried over through the volume.

import type { Daytona } from '@daytonaio/sdk';
import type { Config } from '../../src/config/schema.js';
import type { Sleep } from '../../src/sandbox/providers/daytona/retry.js';
import { buildApp, installCommand, packApp } from './app-bundle.js';
import { type DashboardAccess, dashboardAccess, type HealthWait, waitForHealth } from './gateway-access.js';
import { gatewaySandboxEnv, gatewayStartEnv } from './gateway-env.js';
import { layoutOf, rememberPort, startGateway, stopAndBackUp, swapRelease } from './gateway-process.js';
import {
  createGateway,
  ensureStarted,
  ensureVolume,
  findGateway,
  type GatewaySpec,
  gatewayChanges,
  type Resources,
} from './gateway-sandbox.js';
import { DeployUsageError, GATEWAY_SANDBOX_NAME, VOLUME_NAME } from './layout.js';
import { installScript, runScript } from './sandbox-scripts.js';
import { type Progress, step } from './steps.js';

export interface DeployDeps {
  client: Daytona;
  config: Config;
  /** The sandgate package folder whose files are deployed. */
  appRoot: string;
  progress: Progress;
  /** Builds dist/ in appRoot (default `npm run build`). */
  build?: (root: string) => Promise<void>;
  /** Installs production dependencies in the unpacked release (default installCommand()). */
  install?: string;
  sleep?: Sleep;
  pollMs?: number;
  health?: HealthWait;
}

export interface DeployOptions {
  /** Snapshot to create from (default daytona-medium) — or an image with resources. */
  snapshot?: string;
  image?: string;
  resources?: Resources;
  port: number;
  /** Lifetime of the printed dashboard URL, 1 s – 24 h. */
  expiresSec: number;
  /** Telegram by webhook at the sandbox's (then public) preview URL instead of long polling. */
  telegramWebhook: boolean;
  /** Skip `npm run build` and ship the dist/ already there. */
  skipBuild?: boolean;
}

export interface DeployResult extends DashboardAccess {
  sandboxId: string;
  /** created: new sandbox; updated: same sandbox, new release; replaced: new sandbox, state carried over. */
  how: 'created' | 'updated' | 'replaced';
}

export function gatewaySpec(config: Config, o: DeployOptions): GatewaySpec {
  if (o.image && o.snapshot) throw new DeployUsageError('use --image or --snapshot, not both');
  const hasResources = Object.values(o.resources ?? {}).some((v) => v !== undefined);
  if (hasResources && !o.image)
    throw new DeployUsageError(
      '--cpu/--memory/--disk apply to --image: a snapshot brings its own resources (daytona-medium: 2 GiB+)',
    );
  if (o.telegramWebhook && !config.telegram.botToken)
    throw new DeployUsageError('--telegram-webhook needs a Telegram bot token (TELEGRAM_BOT_TOKEN)');
  return {
    source: o.image
      ? { image: o.image, resources: { ...o.resources } }
      : { snapshot: o.snapshot ?? 'daytona-medium' },
    env: gatewaySandboxEnv(config),
    public: o.telegramWebhook,
  };
}

export async function deployDaytona(d: DeployDeps, o: DeployOptions): Promise<DeployResult> {
  const waits = { sleep: d.sleep, pollMs: d.pollMs };
  const spec = await step(d.progress, 'check', async () => {
    const s = gatewaySpec(d.config, o);
    const source = 'snapshot' in s.source ? `snapshot ${s.source.snapshot}` : `image ${s.source.image}`;
    return { value: s, detail: `${Object.keys(s.env).length} settings for the gateway sandbox, ${source}` };
  });
  if (!o.skipBuild)
    await step(
      d.progress,
      'build',
      async () => ({ value: await (d.build ?? buildApp)(d.appRoot), detail: 'dist/ built' }),
      {
        long: true,
      },
    );
  const bundle = await step(d.progress, 'pack', async () => {
    const b = await packApp(d.appRoot);
    return { value: b, detail: `${b.files.join(', ')} (${(b.archive.length / 1e6).toFixed(1)} MB)` };
  });
  const volume = await step(d.progress, 'volume', async () => {
    const v = await ensureVolume(d.client, waits);
    return {
      value: v.volume,
      detail: `${VOLUME_NAME} ${v.created ? 'created' : 'found'}, ${v.volume.state}`,
    };
  });

  let how: DeployResult['how'] = 'updated';
  const sb = await step(d.progress, 'sandbox', async () => {
    let found = await findGateway(d.client, waits);
    let note = '';
    if (found) {
      const changes = gatewayChanges(found, spec);
      if (changes.length) {
        // Daytona cannot change these on a live sandbox: carry the state over through the volume.
        await ensureStarted(found, waits);
        const carried = await stopAndBackUp(found, await layoutOf(found));
        await found.delete(60, true);
        note = ` (changed: ${changes.join(', ')}; ${carried})`;
        found = undefined;
        how = 'replaced';
      }
    }
    if (!found) {
      if (how !== 'replaced') how = 'created';
      const created = await createGateway(d.client, spec, volume.id, waits);
      return { value: created, detail: `${how} ${GATEWAY_SANDBOX_NAME} (${created.id})${note}` };
    }
    const started = await ensureStarted(found, waits);
    return {
      value: found,
      detail: `reusing ${GATEWAY_SANDBOX_NAME} (${found.id}${started === 'started' ? ', started it' : ''})`,
    };
  });
  const l = await layoutOf(sb);

  await step(d.progress, 'upload', async () => {
    await sb.fs.uploadFile(bundle.archive, l.archive);
    return { value: undefined, detail: `${(bundle.archive.length / 1e6).toFixed(1)} MB to ${l.archive}` };
  });
  await step(
    d.progress,
    'install',
    async () => {
      const out = await runScript(sb, 'npm ci', installScript(l, d.install ?? installCommand()), 1200);
      return { value: undefined, detail: out.trim().split('\n').pop() ?? 'installed' };
    },
    { long: true },
  );
  await step(d.progress, 'stop old gateway', async () => ({
    value: undefined,
    detail: await stopAndBackUp(sb, l),
  }));
  const cmdId = await step(d.progress, 'start', async () => {
    await swapRelease(sb, l);
    const publicUrl = (await sb.getPreviewLink(o.port)).url.replace(/\/+$/, '');
    const env = gatewayStartEnv({ layout: l, port: o.port, publicUrl, telegramWebhook: o.telegramWebhook });
    const started = await startGateway(sb, l, env);
    await rememberPort(sb, o.port);
    const state =
      started.state === 'kept' ? 'state kept' : started.state === 'new' ? 'new state' : started.state;
    return { value: started.cmdId, detail: `sandgate gateway on port ${o.port}, ${state}` };
  });
  await step(
    d.progress,
    'health',
    async () => {
      const ms = await waitForHealth(sb, o.port, cmdId, { sleep: d.sleep, ...d.health });
      return { value: undefined, detail: `/healthz answered after ${(ms / 1000).toFixed(1)} s` };
    },
    { long: true },
  );
  const access = await step(d.progress, 'links', async () => {
    const a = await dashboardAccess(sb, l, o.port, o.expiresSec);
    return { value: a, detail: `dashboard URL valid until ${a.expiresAt.toISOString()}` };
  });
  return { ...access, sandboxId: sb.id, how };
}
