// What the dashboard routes need from the running gateway, as narrow interfaces: the gateway core,
// pairing, the local channel and (maybe) a sandbox provider are handed in by src/cli/assemble.ts.

import type { Logger } from 'pino';
import type { ChannelStatus } from '../../../channels/channel.js';
import type { StampedEvent } from '../../../channels/local/event-log.js';
import type { LocalUpload } from '../../../channels/local/local-channel.js';
import type { Devices } from '../../../pairing/devices/index.js';
import type { Pairing } from '../../../pairing/index.js';
import type { GatewayEvents } from '../../gateway/gateway-events.js';
import type { Store } from '../../store/store.js';

export interface DashboardGateway {
  events: GatewayEvents;
  channelStatuses(): { id: string; status: ChannelStatus }[];
  lanes: { readonly depth: number; readonly inFlight: number };
}

export interface DashboardLocalChannel {
  post(input: {
    conversation: string;
    text: string;
    clientId?: string;
    senderName?: string;
    files?: LocalUpload[];
  }): Promise<{ duplicate: boolean; platformId: string }>;
  events: {
    since(conversation: string, afterSeq: number): StampedEvent[];
    subscribe(listener: (e: StampedEvent) => void): () => void;
  };
}

export interface DashboardSandbox {
  id: string;
  provider: string;
  labels: Record<string, string>;
  state: string;
}

/** Optional: without it the sandboxes page says the listing is not available. */
export interface DashboardSandboxes {
  list(): Promise<DashboardSandbox[]>;
  remove(id: string): Promise<void>;
}

export type DashboardStore = Pick<Store, 'runs' | 'artifacts' | 'deliveries' | 'inbound' | 'toolCalls'>;

export type DashboardPairing = Pick<Pairing, 'list' | 'approve' | 'deny' | 'allow' | 'audit' | 'owners'>;

export interface DashboardDeps {
  devices: Devices;
  /** The gateway token, read on every login attempt (rotation applies at once). */
  token: () => string;
  /** SANDGATE_PUBLIC_URL (or the bound address); an https URL makes the session cookie Secure. */
  publicUrl: string;
  store: DashboardStore;
  /** Agent trees of runs (/rlm, DESIGN §9.3); without it run pages show none. */
  runTrees?: { get(runId: number): unknown };
  pairing: DashboardPairing;
  gateway: DashboardGateway;
  local: DashboardLocalChannel;
  sandboxes?: DashboardSandboxes;
  log: Logger;
  /** Milliseconds since the epoch (rate-limit windows); tests inject one. */
  clock?: () => number;
  /** The folder of static assets; default: the repository's dashboard/. */
  assetsDir?: string;
  /** How often open event streams re-check their session (revocation from the CLI). Default 1000. */
  streamCheckMs?: number;
  /** Aborted when the gateway shuts down: open event streams end at once instead of holding the server. */
  signal?: AbortSignal;
}
