// The state dir is owner-only whatever umask sandgate starts with (a permissive and a restrictive
// one): database with -wal/-shm, token, config, uploads. An older install is tightened at start and
// doctor names what is loose. As root, the sandbox uid can use its workspace but not the state dir.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayProcess, runCli, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

const mode = (path: string) => statSync(path).mode & 0o7777;

/** Every path under home (not inside workspaces) with its mode, for a readable failure. */
function modes(home: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (path: string, rel: string) => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return; // removed while we looked (a staged upload whose message settled)
    out[rel || '.'] = (st.mode & 0o7777).toString(8);
    if (!st.isDirectory() || rel === 'sandboxes') return;
    for (const name of readdirSync(path)) visit(join(path, name), rel ? `${rel}/${name}` : name);
  };
  visit(home, '');
  return out;
}

describe('state file modes', () => {
  let gw: GatewayProcess | undefined;
  const homes: { cleanup(): void }[] = [];

  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
    for (const h of homes.splice(0)) h.cleanup();
  });

  for (const umask of [0o000, 0o277]) {
    it(`are 0600 files in a 0700 dir with umask ${umask.toString(8).padStart(3, '0')}`, async () => {
      const home = tempHome();
      homes.push(home);
      expect(runCli(home.home, ['config', 'set', 'log.level', 'info'], {}, umask).code).toBe(0);
      gw = await startGatewayProcess(home.home, {}, 120_000, umask);
      const token = runCli(home.home, ['token', 'show'], {}, umask).stdout.trim();
      const form = new FormData();
      form.set('text', '/sh cat uploads/*');
      form.set('file', new Blob([new TextEncoder().encode('upload-body')]), 'note.txt');
      const posted = await fetch(`${gw.url}/api/local/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      expect(posted.status).toBe(202);
      const { id } = (await posted.json()) as { id: number };
      await waitFor(
        async () => {
          const res = await fetch(`${gw!.url}/api/local/messages/${id}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          return ((await res.json()) as { complete: boolean }).complete;
        },
        'the reply',
        60_000,
      );

      const m = modes(home.home);
      expect(m['.']).toBe('700');
      for (const f of ['sandgate.db', 'sandgate.db-wal', 'sandgate.db-shm', 'gateway-token', 'config.json5'])
        expect([f, m[f]]).toEqual([f, '600']);
      for (const [path, bits] of Object.entries(m)) {
        // Nothing in the state dir is open to group or others; directories stay usable by the owner.
        expect([path, Number.parseInt(bits, 8) & 0o077]).toEqual([path, 0]);
        // (A staged upload may be removed between the listing and here: its mode was checked above.)
        if (statSync(join(home.home, path), { throwIfNoEntry: false })?.isDirectory())
          expect([path, bits]).toEqual([path, '700']);
      }
      const doctor = runCli(home.home, ['doctor', '--json'], {}, umask);
      const checks = JSON.parse(doctor.stdout) as { name: string; level: string }[];
      expect(checks.find((c) => c.name === 'state file modes')?.level).toBe('ok');
    }, 180_000);
  }

  it('tightens an older install at start, after doctor named what was loose', async () => {
    const home = tempHome();
    homes.push(home);
    chmodSync(home.home, 0o755);
    mkdirSync(join(home.home, 'uploads'), { mode: 0o755 });
    writeFileSync(join(home.home, 'uploads', 'old.txt'), 'x', { mode: 0o644 });
    writeFileSync(join(home.home, 'gateway-token'), 'an-old-token-0123456789abcdefghijkl\n', { mode: 0o644 });
    chmodSync(join(home.home, 'gateway-token'), 0o644);
    const doctor = JSON.parse(runCli(home.home, ['doctor', '--json']).stdout) as {
      name: string;
      level: string;
      detail: string;
    }[];
    const check = doctor.find((c) => c.name === 'state file modes');
    expect(check?.level).toBe('warn');
    expect(check?.detail).toContain(`${join(home.home, 'gateway-token')} 0644 (want 0600)`);
    gw = await startGatewayProcess(home.home, {}, 120_000);
    expect(mode(home.home)).toBe(0o700);
    expect(mode(join(home.home, 'gateway-token'))).toBe(0o600);
    expect(mode(join(home.home, 'uploads'))).toBe(0o700);
    expect(mode(join(home.home, 'uploads', 'old.txt'))).toBe(0o600);
    expect(mode(join(home.home, 'sandgate.db'))).toBe(0o600);
  }, 180_000);

  it('as root: the sandbox uid cannot read the state dir, and its workspace is its own', async () => {
    const home = tempHome();
    homes.push(home);
    gw = await startGatewayProcess(home.home, {}, 120_000);
    const asNobody = (cmd: string) =>
      spawnSync('/bin/sh', ['-c', cmd], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(asNobody(`cat ${join(home.home, 'sandgate.db')}`).status).not.toBe(0);
    expect(asNobody(`cat ${join(home.home, 'gateway-token')}`).status).not.toBe(0);
    expect(asNobody(`ls ${home.home}`).status).not.toBe(0);
    // The sandbox runs as that uid and works in its workspace.
    const reply = runCli(home.home, ['chat', '-m', '/sh id -u; touch mine && echo wrote'], {
      SANDGATE_PORT: String(gw.port),
    }).stdout;
    expect(reply).toContain('wrote');
    // What it wrote belongs to the unprivileged uid on the host (the sandbox calls it 1000).
    const ids = readdirSync(join(home.home, 'sandboxes')).filter((n) => /^sb-[a-z0-9]+$/.test(n));
    const mine = ids.map((i) => join(home.home, 'sandboxes', i, 'mine')).filter((p) => existsSync(p));
    expect(mine.map((p) => statSync(p).uid)).toEqual([65534]);
    expect(existsSync(join(home.home, 'sandboxes'))).toBe(true);
    expect(mode(join(home.home, 'sandboxes'))).toBe(0o700);
  }, 180_000);
});
