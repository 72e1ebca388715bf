// Where the Python files that run INSIDE sandboxes (src/sandbox/runtime/) are on the host, for both
// providers: local copies them beside its sandboxes, Daytona uploads them. Fails with
// SandboxUnavailableError when the checkout lacks them (a broken install).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { SandboxUnavailableError } from './errors.js';

/** The interpreter side of runCode: the driver and its chart capture (every provider needs these). */
export const DRIVER_FILES = ['driver.py', 'sandgate_charts.py', 'sandgate_mpl.py'] as const;
/** The local provider also runs its process supervisor inside the sandbox. */
export const SUPERVISOR_FILE = 'supervisor.py';
/** The supervisor and the modules it imports (job cgroups, pseudo-terminals, inside listeners). */
export const SUPERVISOR_FILES = [
  SUPERVISOR_FILE,
  'supervisor_jobs.py',
  'supervisor_pty.py',
  'supervisor_listen.py',
] as const;
/** Environment every driver runs with: plt.show() hands charts to sandgate_charts. */
export const DRIVER_ENV = { MPLBACKEND: 'module://sandgate_mpl' } as const;

/** src/sandbox/runtime of this package, whether running from src/ (tsx) or dist/ (built). */
export function findRuntimeSource(): string {
  const dir = join(packageRoot(), 'src', 'sandbox', 'runtime');
  if (existsSync(join(dir, 'driver.py'))) return dir;
  throw new SandboxUnavailableError(
    'src/sandbox/runtime (the sandbox-side Python files) was not found next to the code',
  );
}
