// The gateway's Daytona resources: its state volume and the one `sandgate-gateway` sandbox, found by
// label, created with auto-stop off, started when stopped. What Daytona cannot change on a live
// sandbox (env, image/snapshot, resources, public) is compared, and a difference means a replacement
// (the caller copies the state to the volume first). API rate limits are retried per Retry-After.

import { createHash } from 'node:crypto';
import type { Daytona, Sandbox } from '@daytonaio/sdk';
import {
  isNotFound,
  realSleep,
  type Sleep,
  withRetryAfter,
} from '../../src/sandbox/providers/daytona/retry.js';
import { envChanged } from './gateway-env.js';
import {
  GATEWAY_LABELS,
  GATEWAY_SANDBOX_NAME,
  SPEC_LABEL,
  VOLUME_MOUNT_PATH,
  VOLUME_NAME,
} from './layout.js';

export interface Resources {
  /** vCPUs. */
  cpu?: number;
  /** GiB. */
  memory?: number;
  /** GiB. */
  disk?: number;
}

export interface GatewaySpec {
  /** A snapshot carries its own resources; an image takes them from `resources`. */
  source: { snapshot: string } | { image: string; resources: Resources };
  env: Record<string, string>;
  /** Public sandboxes serve preview links without a token (needed for Telegram's webhook). */
  public: boolean;
}

/** The SDK's Volume type is not exported from the package root. */
type Volume = Awaited<ReturnType<Daytona['volume']['get']>>;

export interface Waits {
  sleep?: Sleep;
  pollMs?: number;
  /** Seconds Daytona may take to create (an image build can take minutes) or start a sandbox. */
  startTimeoutSec?: number;
}

/** A digest of the fixed non-secret settings, kept as a label so a redeploy can compare them. */
export function specDigest(spec: GatewaySpec): string {
  return createHash('sha256')
    .update(JSON.stringify({ source: spec.source, public: spec.public }))
    .digest('hex')
    .slice(0, 16);
}

const retry = <T>(fn: () => Promise<T>, w: Waits) => withRetryAfter(fn, { sleep: w.sleep });

/** Finds or creates the state volume and waits until Daytona says it is ready (60 s at most). */
export async function ensureVolume(
  client: Daytona,
  w: Waits = {},
): Promise<{ volume: Volume; created: boolean }> {
  let created = false;
  let volume = await retry(async () => {
    try {
      return await client.volume.get(VOLUME_NAME);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      created = true;
      return await client.volume.create(VOLUME_NAME);
    }
  }, w);
  const deadline = Date.now() + 60_000;
  while (volume.state !== 'ready') {
    if (volume.state === 'error')
      throw new Error(`volume ${VOLUME_NAME} failed: ${volume.errorReason ?? 'no reason given'}`);
    if (Date.now() > deadline) throw new Error(`volume ${VOLUME_NAME} is still ${volume.state} after 60 s`);
    await (w.sleep ?? realSleep)(w.pollMs ?? 1000);
    volume = await retry(() => client.volume.get(VOLUME_NAME), w);
  }
  return { volume, created };
}

/** The gateway sandbox (full record, env included), or undefined when there is none. */
export async function findGateway(client: Daytona, w: Waits = {}): Promise<Sandbox | undefined> {
  const found = await retry(async () => {
    const all: Sandbox[] = [];
    for await (const sb of client.list({ labels: { ...GATEWAY_LABELS } })) all.push(sb);
    return all;
  }, w);
  const pick = found.find((s) => s.name === GATEWAY_SANDBOX_NAME) ?? found[0];
  // list() leaves out env and volumes; get() has them.
  return pick ? await retry(() => client.get(pick.id), w) : undefined;
}

/** What differs between a sandbox and the wanted spec, in words; empty when it can be reused. */
export function gatewayChanges(sb: Sandbox, spec: GatewaySpec): string[] {
  const changes: string[] = [];
  if (envChanged(sb.env, spec.env)) changes.push('its secrets or settings (env)');
  if (sb.labels?.[SPEC_LABEL] !== specDigest(spec))
    changes.push('snapshot, image, resources or public access');
  if (!(sb.volumes ?? []).some((v) => v.mountPath === VOLUME_MOUNT_PATH)) changes.push('the state volume');
  return changes;
}

export async function createGateway(
  client: Daytona,
  spec: GatewaySpec,
  volumeId: string,
  w: Waits = {},
): Promise<Sandbox> {
  const base = {
    name: GATEWAY_SANDBOX_NAME,
    labels: { ...GATEWAY_LABELS, [SPEC_LABEL]: specDigest(spec) },
    envVars: spec.env,
    public: spec.public,
    // Always on (DESIGN §9.6): never stopped for inactivity, never deleted behind the owner's back.
    autoStopInterval: 0,
    autoDeleteInterval: -1,
    volumes: [{ volumeId, mountPath: VOLUME_MOUNT_PATH }],
  };
  const timeout = w.startTimeoutSec ?? 600;
  const source = spec.source;
  return await retry(
    () =>
      'snapshot' in source
        ? client.create({ ...base, snapshot: source.snapshot }, { timeout })
        : client.create({ ...base, image: source.image, resources: source.resources }, { timeout }),
    w,
  );
}

/** Starts a stopped or archived sandbox and turns auto-stop off if someone turned it on. */
export async function ensureStarted(sb: Sandbox, w: Waits = {}): Promise<'running' | 'started'> {
  const timeout = w.startTimeoutSec ?? 600;
  let how: 'running' | 'started' = 'running';
  const state = String(sb.state);
  if (state === 'error' || state === 'build_failed')
    throw new Error(`sandbox ${sb.id} is in state ${state}: ${sb.errorReason ?? 'no reason given'}`);
  if (state !== 'started') {
    how = 'started';
    if (state === 'starting' || state === 'restoring') await sb.waitUntilStarted(timeout);
    else await retry(() => sb.start(timeout), w);
  }
  if (sb.autoStopInterval !== 0) await retry(() => sb.setAutostopInterval(0), w);
  return how;
}
