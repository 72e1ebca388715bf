// The local SandboxProvider: sandboxes are directories under $SANDGATE_HOME/sandboxes with a JSON
// metadata file beside each, so list()/get() survive gateway restarts without a database. Refuses to
// start sandboxes without bubblewrap unless isolation is explicitly "none" (then warns at every start).

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { z } from 'zod';
import { SandboxUnavailableError } from '../../errors.js';
import type { PreviewTokens } from '../../preview/preview-tokens.js';
import type { SandboxInfo, SandboxProvider, SandboxSpec } from '../../provider.js';
import { checkEnv } from '../../sandbox-env.js';
import { bwrapArgs, SANDBOX_GROUP, SANDBOX_HOME, SANDBOX_PASSWD, SANDBOX_RUNTIME } from './bwrap-args.js';
import { prepareHostDirs, type RunAs, removeTree } from './host-dirs.js';
import { LocalSandbox } from './local-sandbox.js';

export interface LocalProviderOptions {
  home: string;
  publicUrl: string;
  previewTokens: PreviewTokens;
  log: Logger;
  isolation?: 'bwrap' | 'none';
  network?: 'off' | 'host';
  limits?: { memoryMb?: number; maxProcesses?: number; maxFileMb?: number; cpuSeconds?: number };
  python?: string;
  execTimeoutMs?: number;
  /** How long interrupted Python code may take to stop before its context is restarted. */
  interruptGraceMs?: number;
  outputCapBytes?: number;
  /** Largest file readFile/writeFile move. */
  maxFileBytes?: number;
  tmpMb?: number;
  /** Host uid/gid sandboxes run as when the gateway itself is root (default nobody). */
  runAs?: RunAs;
  bwrapPath?: string;
  /** Where src/sandbox/runtime lives in this checkout; found automatically when omitted. */
  runtimeSource?: string;
}

const ID_RE = /^sb-[a-z0-9]{10}$/;
const metaSchema = z.object({
  id: z.string().regex(ID_RE),
  labels: z.record(z.string(), z.string()),
  env: z.record(z.string(), z.string()).default({}),
  network: z.enum(['off', 'host']),
  createdAt: z.string(),
  lastUsedAt: z.string().optional(),
});
type Meta = z.infer<typeof metaSchema>;

export class LocalSandboxProvider implements SandboxProvider {
  readonly name = 'local' as const;
  private readonly dir: string;
  private readonly live = new Map<string, { box: LocalSandbox; meta: Meta; lastUsed: number }>();
  private prepared?: Promise<{ runtimeDir: string; passwd: string; group: string; runAs?: RunAs }>;

  constructor(private readonly o: LocalProviderOptions) {
    this.dir = join(o.home, 'sandboxes');
  }

  get previewTokens(): PreviewTokens {
    return this.o.previewTokens;
  }

  async create(spec: SandboxSpec): Promise<LocalSandbox> {
    const env = checkEnv(spec.env);
    const prep = await this.prepare();
    const id = `sb-${randomBytes(8).toString('hex').slice(0, 10)}`;
    const workspace = join(this.dir, id);
    await mkdir(workspace, { mode: 0o700 });
    if (prep.runAs) await chown(workspace, prep.runAs.uid, prep.runAs.gid);
    const now = new Date().toISOString();
    const meta: Meta = {
      id,
      labels: { ...spec.labels },
      env,
      network: spec.network ?? this.o.network ?? 'off',
      createdAt: now,
      lastUsedAt: now,
    };
    await this.saveMeta(meta);
    this.o.log.info({ sandbox: id, labels: meta.labels }, 'sandbox created');
    return this.instance(meta);
  }

  async get(id: string): Promise<LocalSandbox | undefined> {
    if (!ID_RE.test(id)) return undefined;
    const cached = this.live.get(id);
    if (cached && existsSync(this.metaPath(id))) return cached.box;
    const meta = await this.loadMeta(id);
    return meta ? this.instance(meta) : undefined;
  }

  async list(filter?: { labels?: Record<string, string> }): Promise<SandboxInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: SandboxInfo[] = [];
    for (const name of names) {
      const id = name.endsWith('.json') ? name.slice(0, -5) : '';
      if (!ID_RE.test(id)) continue;
      const meta = await this.loadMeta(id);
      if (!meta) continue;
      if (filter?.labels && !Object.entries(filter.labels).every(([k, v]) => meta.labels[k] === v)) continue;
      const entry = this.live.get(id);
      const lastUsed = entry
        ? new Date(entry.lastUsed)
        : meta.lastUsedAt
          ? new Date(meta.lastUsedAt)
          : undefined;
      out.push({
        id,
        provider: 'local',
        labels: meta.labels,
        state: entry?.box.running ? 'running' : 'stopped',
        createdAt: new Date(meta.createdAt),
        ...(lastUsed ? { lastActivityAt: lastUsed } : {}),
      });
    }
    return out;
  }

  /** For the preview proxy: a stream to a port inside a running sandbox. */
  async connectPort(sandboxId: string, port: number): Promise<Duplex> {
    const box = await this.get(sandboxId);
    if (!box) throw new Error(`no sandbox ${sandboxId}`);
    return await box.connectPort(port);
  }

  /** Stop every running sandbox (gateway shutdown); workspaces stay. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.live.values()].map((e) => e.box.stop().catch(() => undefined)));
  }

  private instance(meta: Meta): LocalSandbox {
    const existing = this.live.get(meta.id);
    if (existing) return existing.box;
    const isolated = (this.o.isolation ?? 'bwrap') === 'bwrap';
    const workspace = join(this.dir, meta.id);
    const workdir = isolated ? SANDBOX_HOME : workspace;
    const lim = this.o.limits ?? {};
    const entry = { meta, lastUsed: Date.now(), box: undefined as unknown as LocalSandbox };
    const baseEnv: Record<string, string> = {
      HOME: workdir,
      USER: 'sandbox',
      LOGNAME: 'sandbox',
      PATH: `${workdir}/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      LANG: 'C.UTF-8',
      TMPDIR: '/tmp',
      TERM: 'dumb',
      MPLBACKEND: 'Agg',
      // The memory limit is on address space: glibc's per-thread malloc arenas (64 MiB each) and
      // OpenBLAS's per-CPU buffers reserve far more than they use, and OpenBLAS hangs when its
      // reservation fails. Few arenas and one BLAS thread keep numpy working under the limit.
      MALLOC_ARENA_MAX: '2',
      OPENBLAS_NUM_THREADS: '1',
      OMP_NUM_THREADS: '1',
      ...meta.env,
    };
    entry.box = new LocalSandbox({
      id: meta.id,
      workdir,
      metaFile: this.metaPath(meta.id),
      env: baseEnv,
      limits: {
        as: (lim.memoryMb ?? 2048) * 1024 * 1024,
        nproc: lim.maxProcesses ?? 256,
        fsize: (lim.maxFileMb ?? 512) * 1024 * 1024,
        cpu: lim.cpuSeconds ?? 600,
      },
      python: this.o.python ?? '/usr/bin/python3',
      execTimeoutMs: this.o.execTimeoutMs ?? 120_000,
      interruptGraceMs: this.o.interruptGraceMs ?? 3000,
      outputCap: this.o.outputCapBytes ?? 1024 * 1024,
      maxFileBytes: this.o.maxFileBytes ?? 50 * 1024 * 1024,
      log: this.o.log.child({ sandbox: meta.id }),
      signPreview: (port, ttl) => {
        const { token, expiresAt } = this.o.previewTokens.sign(meta.id, port, ttl);
        return { url: `${this.o.publicUrl.replace(/\/+$/, '')}/preview/${token}/`, expiresAt };
      },
      launch: async () => {
        const prep = await this.prepare();
        const supervisorArgs = ['-I', '-S'];
        if (!isolated) {
          this.o.log.warn(
            { sandbox: meta.id },
            'SANDBOX ISOLATION IS OFF (sandbox.local.isolation = "none"): code runs as the gateway user with full access to this machine',
          );
          return {
            command: this.o.python ?? '/usr/bin/python3',
            args: [...supervisorArgs, join(prep.runtimeDir, 'supervisor.py'), '--workdir', workspace],
            env: baseEnv,
            cwd: workspace,
            runtimeDir: prep.runtimeDir,
          };
        }
        const command = [
          this.o.python ?? '/usr/bin/python3',
          ...supervisorArgs,
          `${SANDBOX_RUNTIME}/supervisor.py`,
          '--workdir',
          SANDBOX_HOME,
        ];
        return {
          command: this.o.bwrapPath ?? 'bwrap',
          args: bwrapArgs({
            workspace,
            runtimeDir: prep.runtimeDir,
            passwdFile: prep.passwd,
            groupFile: prep.group,
            network: meta.network,
            env: baseEnv,
            tmpBytes: (this.o.tmpMb ?? 512) * 1024 * 1024,
            command,
          }),
          env: {},
          uid: prep.runAs?.uid,
          gid: prep.runAs?.gid,
          runtimeDir: SANDBOX_RUNTIME,
        };
      },
      onStart: () => {
        entry.lastUsed = Date.now();
      },
      onUse: () => {
        entry.lastUsed = Date.now();
      },
      onStopped: async () => {
        if (!existsSync(this.metaPath(meta.id))) return;
        meta.lastUsedAt = new Date(entry.lastUsed).toISOString();
        await this.saveMeta(meta).catch(() => undefined);
      },
      relabel: async (labels) => {
        meta.labels = labels;
        await this.saveMeta(meta);
      },
      onDelete: async () => {
        this.live.delete(meta.id);
        this.o.previewTokens.revokeSandbox(meta.id);
        await rm(this.metaPath(meta.id), { force: true });
        await removeTree(workspace);
        this.o.log.info({ sandbox: meta.id }, 'sandbox deleted');
      },
    });
    this.live.set(meta.id, entry);
    return entry.box;
  }

  private prepare() {
    this.prepared ??= prepareHostDirs({
      dir: this.dir,
      isolation: this.o.isolation ?? 'bwrap',
      bwrapPath: this.o.bwrapPath ?? 'bwrap',
      runAs: this.o.runAs,
      runtimeSource: this.o.runtimeSource,
      passwd: SANDBOX_PASSWD,
      group: SANDBOX_GROUP,
    }).catch((err: unknown) => {
      this.prepared = undefined;
      throw err instanceof SandboxUnavailableError ? err : new SandboxUnavailableError(String(err));
    });
    return this.prepared;
  }

  private metaPath(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private async loadMeta(id: string): Promise<Meta | undefined> {
    try {
      return metaSchema.parse(JSON.parse(await readFile(this.metaPath(id), 'utf8')));
    } catch {
      return undefined;
    }
  }

  private async saveMeta(meta: Meta): Promise<void> {
    const tmp = `${this.metaPath(meta.id)}.tmp`;
    await writeFile(tmp, JSON.stringify(meta, null, 2), { mode: 0o600 });
    await rename(tmp, this.metaPath(meta.id));
  }
}
