// The Daytona SandboxProvider: sandboxes are created with our labels (found again by label after a
// restart), explicit auto-stop/auto-delete intervals and only the spec's (non-secret) env. API
// rate limits are retried per Retry-After; an unknown id is `undefined`, not an error.

import type { Daytona, Sandbox as SdkSandbox } from '@daytonaio/sdk';
import type { Logger } from 'pino';
import { SANDBOX_DEFAULTS } from '../../../config/defaults.js';
import type { SandboxInfo, SandboxProvider, SandboxSpec } from '../../provider.js';
import { findRuntimeSource } from '../../runtime-files.js';
import { checkEnv } from '../../sandbox-env.js';
import { DaytonaSandbox } from './daytona-sandbox.js';
import { isNotFound, type Sleep, withRetryAfter } from './retry.js';

export interface DaytonaProviderOptions {
  /** A configured SDK client; built from apiKey/apiUrl/target when omitted. */
  client?: Daytona;
  apiKey?: string;
  apiUrl?: string;
  target?: string;
  log: Logger;
  /** Minutes of inactivity before Daytona stops a sandbox (0 = never). */
  autoStopMinutes: number;
  /** Minutes after stopping before Daytona deletes it (-1 = never). */
  autoDeleteMinutes: number;
  snapshot?: string;
  execTimeoutMs?: number;
  interruptGraceMs?: number;
  outputCapBytes?: number;
  maxFileBytes?: number;
  runtimeSource?: string;
  sleep?: Sleep;
  activityEveryMs?: number;
}

const STATE: Record<string, SandboxInfo['state']> = {
  started: 'running',
  stopped: 'stopped',
  archived: 'stopped',
};

export class DaytonaSandboxProvider implements SandboxProvider {
  readonly name = 'daytona' as const;
  /** The SDK client; the SDK (with OpenTelemetry and the AWS SDK) is imported on first use. */
  private client?: Promise<Daytona>;

  constructor(private readonly o: DaytonaProviderOptions) {
    if (o.client) this.client = Promise.resolve(o.client);
    else if (!o.apiKey) throw new Error('the Daytona provider needs DAYTONA_API_KEY');
  }

  private sdk(): Promise<Daytona> {
    const { apiKey, apiUrl, target } = this.o;
    this.client ??= import('./daytona-client.js').then((m) =>
      m.daytonaClient({ apiKey: apiKey as string, apiUrl, target }),
    );
    return this.client;
  }

  async create(spec: SandboxSpec): Promise<DaytonaSandbox> {
    const params = {
      language: 'python',
      labels: { ...spec.labels },
      envVars: checkEnv(spec.env),
      autoStopInterval: this.o.autoStopMinutes,
      autoDeleteInterval: this.o.autoDeleteMinutes,
      networkBlockAll: (spec.network ?? SANDBOX_DEFAULTS.network) === 'off',
      ...(this.o.snapshot ? { snapshot: this.o.snapshot } : {}),
    };
    const sb = await this.retry(async () => (await this.sdk()).create(params));
    this.o.log.info({ sandbox: sb.id, labels: spec.labels }, 'daytona sandbox created');
    return await this.wrap(sb);
  }

  async get(id: string): Promise<DaytonaSandbox | undefined> {
    try {
      return await this.wrap(await this.retry(async () => (await this.sdk()).get(id)));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(filter?: { labels?: Record<string, string> }): Promise<SandboxInfo[]> {
    return await this.retry(async () => {
      const out: SandboxInfo[] = [];
      for await (const sb of (await this.sdk()).list(
        filter?.labels ? { labels: filter.labels } : undefined,
      )) {
        out.push({
          id: sb.id,
          provider: 'daytona',
          labels: sb.labels ?? {},
          state: STATE[String(sb.state)] ?? 'unknown',
          ...(sb.createdAt ? { createdAt: new Date(sb.createdAt) } : {}),
          ...(sb.lastActivityAt ? { lastActivityAt: new Date(sb.lastActivityAt) } : {}),
        });
      }
      return out;
    });
  }

  private retry<T>(fn: () => Promise<T>): Promise<T> {
    return withRetryAfter(fn, { sleep: this.o.sleep });
  }

  private async wrap(sb: SdkSandbox): Promise<DaytonaSandbox> {
    let workdir = '/home/daytona';
    if (String(sb.state) === 'started') {
      workdir = (await this.retry(() => sb.getWorkDir())) ?? workdir;
    }
    return new DaytonaSandbox(sb, workdir, {
      log: this.o.log.child({ sandbox: sb.id }),
      runtimeSource: this.o.runtimeSource ?? findRuntimeSource(),
      execTimeoutMs: this.o.execTimeoutMs ?? SANDBOX_DEFAULTS.execTimeoutSec * 1000,
      interruptGraceMs: this.o.interruptGraceMs ?? SANDBOX_DEFAULTS.interruptGraceMs,
      outputCap: this.o.outputCapBytes ?? SANDBOX_DEFAULTS.outputMaxBytes,
      maxFileBytes: this.o.maxFileBytes ?? SANDBOX_DEFAULTS.fileMaxMb * 1024 * 1024,
      previewTtlSec: SANDBOX_DEFAULTS.previewTtlSec,
      sleep: this.o.sleep,
      activityEveryMs: this.o.activityEveryMs,
    });
  }
}
