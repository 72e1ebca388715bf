// Copies a parent agent's workspace into a child sandbox (the child works on a COPY: its writes never
// reach the parent). Provider-neutral: tar inside the parent, the bytes through the gateway, untar in
// the child. Fails with an Error whose message says which step broke; the caller turns it into a reply.

import { randomUUID } from 'node:crypto';
import type { Sandbox } from '../../src/sandbox/provider.js';

const SEED = '.sandgate-rlm-seed.tgz';

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The parent's workspace as a gzipped tar (sandgate's own `.sandgate/` files left out). */
export async function packWorkspace(parent: Sandbox, signal?: AbortSignal): Promise<Buffer> {
  // Packed outside the workspace (tar would see its own archive grow), then moved in to be read.
  // Exit 1 is GNU tar's "a file changed while it was read": the copy is still usable.
  const scratch = `/tmp/sandgate-seed-${randomUUID()}.tgz`;
  const r = await parent.exec(
    `tar -czf ${scratch} --exclude=./${SEED} --exclude=./.sandgate . ; s=$?; [ $s -le 1 ] && mv ${scratch} ${SEED} || { rm -f ${scratch}; exit $s; }`,
    { cwd: parent.workdir, timeoutMs: 120_000, ...(signal ? { signal } : {}) },
  );
  if (r.exitCode !== 0)
    throw new Error(`packing the workspace failed: ${r.stderr.trim() || r.stdout.trim()}`);
  try {
    return await parent.readFile(SEED);
  } finally {
    await parent.exec(`rm -f ${SEED}`, { cwd: parent.workdir }).catch(() => undefined);
  }
}

/** Unpacks `archive` (from packWorkspace, or a --repo tarball) into `child`'s workspace (or `dir` in it). */
export async function unpackInto(
  child: Sandbox,
  archive: Buffer,
  dir = '.',
  signal?: AbortSignal,
): Promise<void> {
  await child.writeFile(SEED, archive);
  const r = await child.exec(
    `mkdir -p ${shq(dir)} && tar -xzf ${SEED} -C ${shq(dir)}; s=$?; rm -f ${SEED}; exit $s`,
    { cwd: child.workdir, timeoutMs: 120_000, ...(signal ? { signal } : {}) },
  );
  if (r.exitCode !== 0)
    throw new Error(`unpacking the workspace failed: ${r.stderr.trim() || r.stdout.trim()}`);
}
