// The local SandboxProvider: sandboxes are directories under $SANDGATE_HOME/sandboxes with a JSON
// metadata file beside each, so list()/get() survive gateway restarts without a database. Refuses to
// start sandboxes without bubblewrap unless isolation is explicitly "none" (then warns at every start).
// Whole-sandbox limits (containment.ts) are set up around each supervisor start and released after it.

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { chown, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { z } from 'zod';
import { SANDBOX_DEFAULTS } from '../../../config/defaults.js';
import { SandboxUnavailableError } from '../../errors.js';
import type { PreviewTokens } from '../../preview/preview-tokens.js';
import type { SandboxInfo, SandboxProvider, SandboxSpec } from '../../provider.js';
import { checkEnv } from '../../sandbox-env.js';
import { SANDBOX_GROUP, SANDBOX_HOME, SANDBOX_PASSWD } from './bwrap-args.js';
import { Containment, type LimitStatus } from './containment.js';
import { prepareHostDirs, type RunAs, removeTree, sandboxRunAs } from './host-dirs.js';
import { LocalSandbox } from './local-sandbox.js';
import { localToolBinds, type RoBind, reachableBinds } from './local-tool-binds.js';
import { supervisorLaunch } from './supervisor-launch.js';

export interface LocalProviderOptions {
  home: string;
  publicUrl: string;
  previewTokens: PreviewTokens;
  log: Logger;
  isolation?: 'bwrap' | 'none';
  network?: 'off' | 'host';
  limits?: {
    /** Memory of the whole sandbox (cgroup; tmpfs included) and each process's address space. */
    memoryMb?: number;
    /** Processes of the whole sandbox (cgroup) and of its user (RLIMIT_NPROC). */
    maxProcesses?: number;
    maxFileMb?: number;
    cpuSeconds?: number;
    /** CPUs' worth of time per sandbox (cgroup cpu quota); 0 = no limit. */
    cpus?: number;
    /** Size of each new workspace filesystem; 0 = no disk limit. */
    diskMb?: number;
  };
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
  /** Remove the cgroups and mounts of sandboxes a crashed gateway left (only with the instance lock). */
  reclaimStale?: boolean;
  /**
   * More host paths offered read-only to isolated sandboxes (the Claude Code binary), asked at every
   * sandbox start so a tool installed later is mounted from the next start on.
   */
  toolBinds?: () => RoBind[];
  /** false: no cgroups and no workspace filesystems (benchmarks measure what containment costs). */
  containment?: boolean;
}

const LOCAL = SANDBOX_DEFAULTS.local;
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
  private readonly live = new Map<
    string,
    { box: LocalSandbox; meta: Meta; lastUsed: number; released: Promise<void> }
  >();
  private prepared?: Promise<{ runtimeDir: string; passwd: string; group: string; runAs?: RunAs }>;
  private contained?: Promise<Containment>;

  constructor(private readonly o: LocalProviderOptions) {
    this.dir = join(o.home, 'sandboxes');
  }

  get previewTokens(): PreviewTokens {
    return this.o.previewTokens;
  }

  /**
   * At gateway start: sets up the limits, logs which are enforced and which are not (and why), and
   * (reclaimStale) removes cgroups and mounts a crashed gateway left. Otherwise done on first use.
   */
  async init(): Promise<void> {
    await this.containment();
  }

  /** Which limits are enforced here, and how; which are not, and why. */
  async limitStatus(): Promise<LimitStatus[]> {
    return (await this.containment()).status;
  }

  private containment(): Promise<Containment> {
    const l = this.o.limits ?? {};
    const runAs = sandboxRunAs(this.o.isolation ?? LOCAL.isolation, this.o.runAs);
    this.contained ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const dir = realpathSync(this.dir);
      return await Containment.setup({
        dir,
        instance: createHash('sha256').update(dir).digest('hex').slice(0, 12),
        limits: {
          memoryMb: l.memoryMb ?? LOCAL.memoryMb,
          maxProcesses: l.maxProcesses ?? LOCAL.maxProcesses,
          cpus: l.cpus ?? LOCAL.cpus,
          diskMb: l.diskMb ?? LOCAL.diskMb,
          maxFileMb: l.maxFileMb ?? LOCAL.maxFileMb,
        },
        log: this.o.log,
        reclaim: this.o.reclaimStale === true,
        enabled: this.o.containment !== false,
        ...(runAs ? { runAs } : {}),
      });
    })().catch((err: unknown) => {
      this.contained = undefined;
      throw new SandboxUnavailableError(`could not set up sandbox limits: ${(err as Error).message}`);
    });
    return this.contained;
  }

  async create(spec: SandboxSpec): Promise<LocalSandbox> {
    const env = checkEnv(spec.env);
    const prep = await this.prepare();
    const id = `sb-${randomBytes(8).toString('hex').slice(0, 10)}`;
    const workspace = join(this.dir, id);
    await mkdir(workspace, { mode: 0o700 });
    if (prep.runAs) await chown(workspace, prep.runAs.uid, prep.runAs.gid);
    try {
      await (await this.containment()).createWorkspace(id, prep.runAs);
    } catch (err) {
      await removeTree(workspace);
      throw new SandboxUnavailableError(`could not make the workspace filesystem: ${(err as Error).message}`);
    }
    const now = new Date().toISOString();
    const meta: Meta = {
      id,
      labels: { ...spec.labels },
      env,
      network: spec.network ?? this.o.network ?? SANDBOX_DEFAULTS.network,
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
    const entries = [...this.live.values()];
    await Promise.all(entries.map((e) => e.box.stop().catch(() => undefined)));
    await Promise.all(entries.map((e) => e.released));
    if (this.contained) await (await this.contained).shutdown();
  }

  private instance(meta: Meta): LocalSandbox {
    const existing = this.live.get(meta.id);
    if (existing) return existing.box;
    const isolated = (this.o.isolation ?? LOCAL.isolation) === 'bwrap';
    const workspace = join(this.dir, meta.id);
    const workdir = isolated ? SANDBOX_HOME : workspace;
    const lim = this.o.limits ?? {};
    const entry = {
      meta,
      lastUsed: Date.now(),
      box: undefined as unknown as LocalSandbox,
      released: Promise.resolve(),
      /** Metadata writes, one after another; none once a delete began (it would bring the file back). */
      metaWrites: Promise.resolve(),
      deleting: false,
    };
    const writeMeta = () => {
      entry.metaWrites = entry.metaWrites.then(() => (entry.deleting ? undefined : this.saveMeta(meta)));
      return entry.metaWrites;
    };
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
      privateTmp: isolated,
      metaFile: this.metaPath(meta.id),
      env: baseEnv,
      limits: {
        as: (lim.memoryMb ?? LOCAL.memoryMb) * 1024 * 1024,
        nproc: lim.maxProcesses ?? LOCAL.maxProcesses,
        fsize: (lim.maxFileMb ?? LOCAL.maxFileMb) * 1024 * 1024,
        cpu: lim.cpuSeconds ?? LOCAL.cpuSeconds,
      },
      python: this.o.python ?? LOCAL.python,
      execTimeoutMs: this.o.execTimeoutMs ?? SANDBOX_DEFAULTS.execTimeoutSec * 1000,
      interruptGraceMs: this.o.interruptGraceMs ?? SANDBOX_DEFAULTS.interruptGraceMs,
      outputCap: this.o.outputCapBytes ?? SANDBOX_DEFAULTS.outputMaxBytes,
      maxFileBytes: this.o.maxFileBytes ?? SANDBOX_DEFAULTS.fileMaxMb * 1024 * 1024,
      previewTtlSec: SANDBOX_DEFAULTS.previewTtlSec,
      log: this.o.log.child({ sandbox: meta.id }),
      signPreview: (port, ttl) => {
        const { token, expiresAt } = this.o.previewTokens.sign(meta.id, port, ttl);
        return { url: `${this.o.publicUrl.replace(/\/+$/, '')}/preview/${token}/`, expiresAt };
      },
      launch: async () => {
        let prep = await this.prepare();
        if (!existsSync(prep.runtimeDir)) {
          // Another provider on this home closed the share at its shutdown: lay it out again.
          this.prepared = undefined;
          prep = await this.prepare();
        }
        const containment = await this.containment();
        if (!isolated)
          this.o.log.warn(
            { sandbox: meta.id },
            'SANDBOX ISOLATION IS OFF (sandbox.local.isolation = "none"): code runs as the gateway user with full access to this machine',
          );
        // The previous supervisor's cgroups and mount must be gone before new ones are made.
        await entry.released;
        const { cgroup, workspace: bound } = await containment.start(meta.id, prep.runAs);
        return supervisorLaunch({
          isolated,
          python: this.o.python ?? LOCAL.python,
          bwrapPath: this.o.bwrapPath ?? 'bwrap',
          runtimeDir: prep.runtimeDir,
          passwd: prep.passwd,
          group: prep.group,
          workspace: bound,
          network: meta.network,
          env: baseEnv,
          tmpBytes: (this.o.tmpMb ?? LOCAL.tmpMb) * 1024 * 1024,
          ...(prep.runAs ? { runAs: prep.runAs } : {}),
          cgroup,
          ...(containment.setpriv ? { setpriv: containment.setpriv } : {}),
          roBinds: [
            ...localToolBinds(prep.runAs, this.o.log),
            ...(await reachableBinds(this.o.toolBinds?.() ?? [], prep.runAs, this.o.log, (name, source) =>
              containment.exposeTool(name, source),
            )),
          ],
        });
      },
      onSupervisorExit: () => {
        entry.released = entry.released
          .then(async () => (await this.containment()).stop(meta.id))
          .catch((err: unknown) => this.o.log.warn({ err, sandbox: meta.id }, 'sandbox clean-up failed'));
      },
      watchLimits: async () => (await this.containment()).watch(meta.id),
      onStart: () => {
        entry.lastUsed = Date.now();
      },
      onUse: () => {
        entry.lastUsed = Date.now();
      },
      onStopped: async () => {
        // Stopped means every process is gone and the workspace unmounted, not just signalled.
        await entry.released;
        if (!existsSync(this.metaPath(meta.id))) return;
        meta.lastUsedAt = new Date(entry.lastUsed).toISOString();
        await writeMeta().catch(() => undefined);
      },
      relabel: async (labels) => {
        meta.labels = labels;
        await writeMeta();
      },
      onDelete: async () => {
        this.live.delete(meta.id);
        this.o.previewTokens.revokeSandbox(meta.id);
        // A stop racing this delete (its supervisor was killed just now) must not write the file back.
        entry.deleting = true;
        await entry.metaWrites.catch(() => undefined);
        await rm(this.metaPath(meta.id), { force: true });
        await entry.released;
        await (await this.containment()).remove(meta.id);
        await removeTree(workspace);
        this.o.log.info({ sandbox: meta.id }, 'sandbox deleted');
      },
    });
    this.live.set(meta.id, entry);
    return entry.box;
  }

  private prepare() {
    this.prepared ??= (async () =>
      prepareHostDirs({
        dir: this.dir,
        shareDir: (await this.containment()).shareDir,
        isolation: this.o.isolation ?? LOCAL.isolation,
        bwrapPath: this.o.bwrapPath ?? 'bwrap',
        runAs: this.o.runAs,
        runtimeSource: this.o.runtimeSource,
        passwd: SANDBOX_PASSWD,
        group: SANDBOX_GROUP,
      }))().catch((err: unknown) => {
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
