// TypeScript for code inside sandboxes. Node 20 cannot run .ts and sandboxes have no network, so the
// gateway offers its own pinned `typescript` package (a dependency, never downloaded at run time):
// local sandboxes get it bind-mounted read-only at /opt/typescript. Absent → undefined, never a throw.

import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** Where a local sandbox sees the package (its `lib/typescript.js` is one self-contained file). */
export const SANDBOX_TYPESCRIPT_DIR = '/opt/typescript';
export const SANDBOX_TYPESCRIPT_JS = `${SANDBOX_TYPESCRIPT_DIR}/lib/typescript.js`;

/** The host directory of the installed `typescript` package, or undefined when it is not installed. */
export function hostTypeScriptDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('typescript/package.json'));
  } catch {
    return undefined;
  }
}
