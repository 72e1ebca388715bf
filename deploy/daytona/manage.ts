// Looking after a deployment: --status, --logs [-f], --stop, --destroy [--keep-volume] and --link.
// Each finds the gateway sandbox by its label; with none deployed they fail with NotDeployedError.
// Stopping and destroying stop the gateway gracefully and copy its state to the volume first.

import type { Daytona, Sandbox } from '@daytonaio/sdk';
import { isNotFound } from '../../src/sandbox/providers/daytona/retry.js';
import { type DashboardAccess, dashboardAccess, previewGet } from './gateway-access.js';
import { gatewayCommand, layoutOf, portOf, stopAndBackUp } from './gateway-process.js';
import { findGateway } from './gateway-sandbox.js';
import { GATEWAY_SANDBOX_NAME, SESSION_ID, VOLUME_NAME } from './layout.js';
import { type Progress, step } from './steps.js';

export class NotDeployedError extends Error {
  constructor() {
    super(
      `no ${GATEWAY_SANDBOX_NAME} sandbox (label sandgate=gateway) in this Daytona organization: deploy with \`sandgate deploy daytona\``,
    );
    this.name = 'NotDeployedError';
  }
}

async function deployed(client: Daytona): Promise<Sandbox> {
  const sb = await findGateway(client);
  if (!sb) throw new NotDeployedError();
  return sb;
}

export interface DeploymentStatus {
  sandbox: {
    id: string;
    name: string;
    state: string;
    autoStopMinutes: number;
    public: boolean;
    cpu: number;
    memoryGiB: number;
    diskGiB: number;
  };
  volume: { name: string; state: string } | null;
  port: number;
  /** running, exited with N, or not started. */
  gateway: string;
  /** What /healthz answered through the preview link, when the sandbox runs. */
  health: string | null;
}

export async function deploymentStatus(client: Daytona, f: typeof fetch = fetch): Promise<DeploymentStatus> {
  const sb = await deployed(client);
  const running = String(sb.state) === 'started';
  const port = portOf(sb);
  let volume: DeploymentStatus['volume'] = null;
  try {
    const v = await client.volume.get(VOLUME_NAME);
    volume = { name: v.name, state: v.state };
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  let gateway = 'not started';
  let health: string | null = null;
  if (running) {
    const cmd = await gatewayCommand(sb);
    if (cmd) gateway = cmd.exitCode === undefined ? 'running' : `exited with ${cmd.exitCode}`;
    try {
      const r = await previewGet(sb, port, '/healthz', f);
      health = r.ok ? 'ok' : `HTTP ${r.status}`;
    } catch (err) {
      health = `unreachable: ${(err as Error).message}`;
    }
  }
  return {
    sandbox: {
      id: sb.id,
      name: sb.name,
      state: String(sb.state),
      autoStopMinutes: sb.autoStopInterval ?? 0,
      public: sb.public,
      cpu: sb.cpu,
      memoryGiB: sb.memory,
      diskGiB: sb.disk,
    },
    volume,
    port,
    gateway,
    health,
  };
}

/** The gateway's output; with `follow`, streams until the gateway exits or `signal` aborts. */
export async function gatewayLogs(
  client: Daytona,
  o: { follow: boolean; stdout: (s: string) => void; stderr: (s: string) => void; signal?: AbortSignal },
): Promise<void> {
  const sb = await deployed(client);
  if (String(sb.state) !== 'started')
    throw new Error(`${GATEWAY_SANDBOX_NAME} is ${sb.state}: no logs while it is not running`);
  const cmd = await gatewayCommand(sb);
  if (!cmd) throw new Error('the gateway has not been started in this sandbox yet');
  if (!o.follow) {
    const logs = await sb.process.getSessionCommandLogs(SESSION_ID, cmd.id);
    o.stdout(logs.stdout ?? logs.output ?? '');
    o.stderr(logs.stderr ?? '');
    return;
  }
  const streaming = sb.process.getSessionCommandLogs(SESSION_ID, cmd.id, o.stdout, o.stderr);
  if (!o.signal) return await streaming;
  const aborted = new Promise<void>((resolve) =>
    o.signal?.addEventListener('abort', () => resolve(), { once: true }),
  );
  await Promise.race([streaming, aborted]);
}

/** Stops the gateway (state copied to the volume), then the sandbox. */
export async function stopDeployment(client: Daytona, progress: Progress): Promise<void> {
  const sb = await deployed(client);
  if (String(sb.state) !== 'started') {
    progress.done('stop', `${GATEWAY_SANDBOX_NAME} is already ${sb.state}`);
    return;
  }
  await step(progress, 'stop gateway', async () => ({
    value: undefined,
    detail: await stopAndBackUp(sb, await layoutOf(sb)),
  }));
  await step(progress, 'stop sandbox', async () => {
    await sb.stop(120);
    return {
      value: undefined,
      detail: `${GATEWAY_SANDBOX_NAME} stopped (start again with \`sandgate deploy daytona\`)`,
    };
  });
}

/** Deletes the gateway sandbox and, unless `keepVolume`, its state volume (the state with it). */
export async function destroyDeployment(
  client: Daytona,
  progress: Progress,
  keepVolume: boolean,
): Promise<void> {
  const sb = await findGateway(client);
  if (sb && keepVolume && String(sb.state) === 'started')
    await step(progress, 'stop gateway', async () => ({
      value: undefined,
      detail: await stopAndBackUp(sb, await layoutOf(sb)),
    }));
  if (sb)
    await step(progress, 'delete sandbox', async () => {
      await sb.delete(120, true);
      return { value: undefined, detail: `${GATEWAY_SANDBOX_NAME} (${sb.id}) deleted` };
    });
  if (keepVolume) {
    progress.done('volume', `${VOLUME_NAME} kept: the next deploy picks its state up`);
    return;
  }
  await step(progress, 'delete volume', async () => {
    try {
      await client.volume.delete(await client.volume.get(VOLUME_NAME));
      return { value: undefined, detail: `${VOLUME_NAME} deleted, and the state with it` };
    } catch (err) {
      if (isNotFound(err)) return { value: undefined, detail: `no ${VOLUME_NAME} volume` };
      throw err;
    }
  });
  if (!sb) progress.done('sandbox', `no ${GATEWAY_SANDBOX_NAME} sandbox was deployed`);
}

/** A fresh signed dashboard URL and one-time login link for the running deployment. */
export async function freshAccess(client: Daytona, expiresSec: number): Promise<DashboardAccess> {
  const sb = await deployed(client);
  const cmd = String(sb.state) === 'started' ? await gatewayCommand(sb) : undefined;
  if (!cmd || cmd.exitCode !== undefined)
    throw new Error(
      `the gateway is not running in ${GATEWAY_SANDBOX_NAME} (${sb.state}): start it with \`sandgate deploy daytona\``,
    );
  return await dashboardAccess(sb, await layoutOf(sb), portOf(sb), expiresSec);
}
