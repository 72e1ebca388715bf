// Builds the sandbox layer from config: the provider (daytona when a Daytona key is configured,
// else local bubblewrap; `sandbox.provider` overrides), the conversation leases and the chat
// commands. Misconfiguration (daytona chosen without a key) fails here, at start-up.

import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { SandboxCapacity } from './capacity.js';
import { createSandboxCommands, type SandboxCommand, type SandboxCommandName } from './commands.js';
import { ConversationSandboxes } from './conversation-sandboxes.js';
import { PreviewTokens } from './preview/preview-tokens.js';
import type { SandboxProvider } from './provider.js';
import { DaytonaSandboxProvider } from './providers/daytona/daytona-provider.js';
import { LocalSandboxProvider } from './providers/local/local-provider.js';

export interface SandboxFactoryDeps {
  home: string;
  /** Base of links sent to chats (SANDGATE_PUBLIC_URL). */
  publicUrl: string;
  /** HMAC secret for local preview links (derived from the gateway token by the caller). */
  previewSecret: string;
  log: Logger;
  /**
   * This process holds the home's instance lock (the gateway): the local provider may remove
   * cgroups and mounts a crashed gateway left. The offline CLI must not (a gateway may be running).
   */
  ownsHome?: boolean;
  /** Local provider: more host paths mounted read-only into sandboxes (LocalProviderOptions.toolBinds). */
  toolBinds?: () => { source: string; target: string }[];
}

export type SandboxSection = Pick<Config, 'sandbox' | 'daytona'>;

export function sandboxProviderKind(config: SandboxSection): 'local' | 'daytona' {
  return config.sandbox.provider ?? (config.daytona.apiKey ? 'daytona' : 'local');
}

/** The revocation list lives beside the sandboxes so the CLI and the gateway share it. */
export function previewTokensFor(home: string, secret: string): PreviewTokens {
  return new PreviewTokens({ secret, revocationFile: join(home, 'preview-revocations.json') });
}

export function createSandboxProvider(
  config: SandboxSection,
  deps: SandboxFactoryDeps,
): LocalSandboxProvider | DaytonaSandboxProvider {
  const s = config.sandbox;
  const common = {
    execTimeoutMs: s.execTimeoutSec * 1000,
    interruptGraceMs: s.interruptGraceMs,
    outputCapBytes: s.outputMaxBytes,
    maxFileBytes: s.fileMaxMb * 1024 * 1024,
  };
  if (sandboxProviderKind(config) === 'daytona') {
    const d = config.daytona;
    if (!d.apiKey)
      throw new Error('sandbox.provider is "daytona" but no DAYTONA_API_KEY (daytona.apiKey) is set');
    return new DaytonaSandboxProvider({
      apiKey: d.apiKey,
      apiUrl: d.apiUrl,
      target: d.target,
      snapshot: d.snapshot,
      autoStopMinutes: d.autoStopMinutes,
      autoDeleteMinutes: d.autoDeleteMinutes,
      log: deps.log.child({ component: 'daytona' }),
      ...common,
    });
  }
  const l = s.local;
  return new LocalSandboxProvider({
    home: deps.home,
    publicUrl: deps.publicUrl,
    previewTokens: previewTokensFor(deps.home, deps.previewSecret),
    log: deps.log.child({ component: 'sandbox' }),
    isolation: l.isolation,
    network: s.network,
    limits: {
      memoryMb: l.memoryMb,
      maxProcesses: l.maxProcesses,
      maxFileMb: l.maxFileMb,
      cpuSeconds: l.cpuSeconds,
      cpus: l.cpus,
      diskMb: l.diskMb,
    },
    python: l.python,
    tmpMb: l.tmpMb,
    runAs: { uid: l.runAsUid, gid: l.runAsGid },
    ...(deps.ownsHome ? { reclaimStale: true } : {}),
    ...(deps.toolBinds ? { toolBinds: deps.toolBinds } : {}),
    ...common,
  });
}

export function createConversationSandboxes(
  config: SandboxSection,
  provider: SandboxProvider,
  log: Logger,
  /** warmPool defaults to on when gc runs in the background: a long-lived gateway, not a one-shot CLI. */
  opts: { gcIntervalMs?: number; warmPool?: boolean; capacity?: SandboxCapacity } = {},
): ConversationSandboxes {
  const gcIntervalMs = opts.gcIntervalMs ?? 60_000;
  return new ConversationSandboxes({
    provider,
    log: log.child({ component: 'sandbox-leases' }),
    idleStopSec: config.sandbox.idleStopSec,
    idleDeleteSec: config.sandbox.idleDeleteSec,
    maxLive: config.sandbox.maxLive,
    ...(opts.capacity ? { capacity: opts.capacity } : {}),
    childWaitMs: config.sandbox.childWaitSec * 1000,
    network: config.sandbox.network,
    gcIntervalMs,
    poolSize: (opts.warmPool ?? gcIntervalMs > 0) ? config.sandbox.pool.size : 0,
  });
}

export function createSandboxCommandsFromConfig(
  config: SandboxSection,
): Record<SandboxCommandName, SandboxCommand> {
  return createSandboxCommands({
    timeoutMs: config.sandbox.execTimeoutSec * 1000,
    previewTtlSec: config.sandbox.previewTtlSec,
  });
}
