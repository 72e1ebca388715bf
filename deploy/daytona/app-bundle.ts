// What of sandgate goes to the gateway sandbox and how it is run there: the files named by
// package.json `files` (built dist/ included), packed as one tar.gz, installed with `npm ci
// --omit=dev` and started through bin/sandgate.mjs. The one place to change when the package's
// layout or its start-up changes. Fails with AppBundleError naming the missing file or the build error.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

export class AppBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppBundleError';
  }
}

const manifestSchema = z.looseObject({
  name: z.string(),
  files: z.array(z.string()).min(1),
  scripts: z.record(z.string(), z.string()).optional(),
});

function readManifest(root: string): z.infer<typeof manifestSchema> {
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
  if (!parsed.success)
    throw new AppBundleError(`package.json has no usable "files" list: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * The paths (relative to the package root) the deployed app needs: package.json `files` — the same
 * list `npm pack` uses — plus the lockfile `npm ci` installs from. Throws AppBundleError for a
 * missing path (dist/ missing means "build first").
 */
export function appFiles(root: string): string[] {
  const listed = readManifest(root).files.map((f) => f.replace(/\/+$/, ''));
  const files = [...new Set(['package.json', ...listed, 'package-lock.json'])];
  for (const f of files) {
    if (!existsSync(join(root, f)))
      throw new AppBundleError(
        f === 'dist' ? 'dist/ is missing: build first (npm run build)' : `${f} is missing from ${root}`,
      );
  }
  return files;
}

/** Installs production dependencies in the unpacked release (run there, in the sandbox). */
export function installCommand(): string {
  return 'npm ci --omit=dev --no-audit --no-fund';
}

/** Starts the gateway from the release folder; bin/sandgate.mjs runs dist/ when src/ is absent. */
export function startCommand(): string[] {
  return ['node', 'bin/sandgate.mjs', 'gateway'];
}

/** Runs `sandgate ARGS…` from the release folder (the one-time dashboard link, for one). */
export function cliCommand(args: string[]): string[] {
  return ['node', 'bin/sandgate.mjs', ...args];
}

/** Lifecycle scripts that build from sources: dist/ travels prebuilt, and devDependencies stay home. */
const BUILD_SCRIPTS = ['prepare', 'preprepare', 'postprepare', 'prepack', 'postpack'];

/** package.json as deployed: the same, minus scripts that would rebuild during `npm ci --omit=dev`. */
export function deployedManifest(root: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  for (const s of BUILD_SCRIPTS) delete pkg.scripts?.[s];
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: Buffer; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-8000);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out: Buffer.concat(out), err }));
  });
}

/** `npm run build` in the package root. Throws AppBundleError with the end of the compiler's output. */
export async function buildApp(root: string): Promise<void> {
  const r = await run('npm', ['run', '--silent', 'build'], root);
  if (r.code !== 0) {
    const tail = `${r.out.toString()}\n${r.err}`.trim().split('\n').slice(-15).join('\n');
    throw new AppBundleError(`npm run build exited with ${r.code}:\n${tail}`);
  }
}

/** The release archive (tar.gz, paths relative to the package root), built with the system tar. */
export async function packApp(root: string): Promise<{ archive: Buffer; files: string[] }> {
  const files = appFiles(root);
  const staging = mkdtempSync(join(tmpdir(), 'sandgate-pack-'));
  try {
    writeFileSync(join(staging, 'package.json'), deployedManifest(root));
    const others = files.filter((f) => f !== 'package.json');
    const r = await run(
      'tar',
      [
        '-czf',
        '-',
        '--exclude=__pycache__',
        '--exclude=*.pyc',
        '-C',
        root,
        ...others,
        '-C',
        staging,
        'package.json',
      ],
      root,
    );
    if (r.code !== 0) throw new AppBundleError(`tar exited with ${r.code}: ${r.err.trim()}`);
    return { archive: r.out, files: ['package.json', ...others] };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
