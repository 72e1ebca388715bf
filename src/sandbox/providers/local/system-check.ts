// What `sandgate doctor` asks about local sandboxes: is bubblewrap installed and able to create
// namespaces here, does /usr/bin/python3 have matplotlib and pandas. Each failure carries a fix.

import { spawn } from 'node:child_process';
import { SANDBOX_DEFAULTS } from '../../../config/defaults.js';
import { cutText } from '../../../text/cut.js';
import { findOnPath, type RunAs, sandboxRunAs } from './host-dirs.js';

export interface SystemCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface SystemReport {
  ok: boolean;
  checks: SystemCheck[];
}

export interface SystemCheckOptions {
  isolation?: 'bwrap' | 'none';
  python?: string;
  bwrapPath?: string;
  runAs?: RunAs;
  timeoutMs?: number;
}

function run(
  cmd: string,
  args: string[],
  opts: { uid?: number; gid?: number; timeoutMs: number },
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd, args, { uid: opts.uid, gid: opts.gid, env: { PATH: '/usr/bin:/bin' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, out: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out: cutText(out.trim(), 2000) });
    });
  });
}

const USERNS_FIX =
  'allow unprivileged user namespaces: `sudo sysctl kernel.unprivileged_userns_clone=1` (Debian) or, on Ubuntu 24.04+, ' +
  '`sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` (or an AppArmor profile for bwrap); in a container, run it with user namespaces allowed';

export async function checkSandboxSystem(o: SystemCheckOptions = {}): Promise<SystemReport> {
  const checks: SystemCheck[] = [];
  const timeoutMs = o.timeoutMs ?? 15_000;
  const isolation = o.isolation ?? 'bwrap';
  if (isolation === 'none') {
    checks.push({
      name: 'isolation',
      ok: false,
      detail: 'sandbox.local.isolation = "none": sandboxed code runs unisolated as the gateway user',
      fix: 'install bubblewrap and set sandbox.local.isolation = "bwrap"',
    });
  } else {
    const bwrap = await findOnPath(o.bwrapPath ?? 'bwrap');
    if (!bwrap) {
      checks.push({
        name: 'bubblewrap',
        ok: false,
        detail: 'bwrap was not found on PATH',
        fix: 'install it: `sudo apt install bubblewrap` (Fedora: `sudo dnf install bubblewrap`)',
      });
    } else {
      checks.push({ name: 'bubblewrap', ok: true, detail: bwrap });
      const who = sandboxRunAs('bwrap', o.runAs);
      const probe = await run(
        bwrap,
        [
          '--unshare-user',
          '--unshare-pid',
          '--unshare-net',
          '--die-with-parent',
          '--ro-bind',
          '/',
          '/',
          'true',
        ],
        { uid: who?.uid, gid: who?.gid, timeoutMs },
      );
      checks.push(
        probe.code === 0
          ? { name: 'bubblewrap namespaces', ok: true, detail: 'bwrap --ro-bind / / true works' }
          : {
              name: 'bubblewrap namespaces',
              ok: false,
              detail: probe.out || `exit ${probe.code}`,
              fix: USERNS_FIX,
            },
      );
    }
  }
  const python = o.python ?? SANDBOX_DEFAULTS.local.python;
  const py = await run(
    python,
    ['-c', 'import matplotlib, pandas; print(matplotlib.__version__, pandas.__version__)'],
    {
      timeoutMs,
    },
  );
  checks.push(
    py.code === 0
      ? { name: 'python', ok: true, detail: `${python}: matplotlib/pandas ${py.out}` }
      : {
          name: 'python',
          ok: false,
          detail: `${python} cannot import matplotlib and pandas: ${py.out}`,
          fix: 'install them: `sudo apt install python3 python3-matplotlib python3-pandas python3-numpy`',
        },
  );
  return { ok: checks.every((c) => c.ok), checks };
}
