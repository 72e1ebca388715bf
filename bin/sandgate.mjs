#!/usr/bin/env node
// The `sandgate` executable: runs the compiled JavaScript in dist/ (`npm install` builds it through the
// `prepare` script). Only in a source checkout whose TypeScript changed after the last build does it
// fall back to compiling on the fly with tsx (a dev dependency), so an edit is never run stale.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');
const stamp = join(root, 'dist', '.build-stamp');
const sourceDirs = ['src', 'channels', 'agents', 'pairing', 'deploy'].map((d) => join(root, d));

/** Newer than `since` (ms): any .ts file under `dir`. Stops at the first hit. */
function changedSince(dir, since) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (changedSince(path, since)) return true;
    } else if (entry.name.endsWith('.ts') && statSync(path).mtimeMs > since) return true;
  }
  return false;
}

function compiledIsCurrent() {
  if (!existsSync(compiled)) return false;
  if (!existsSync(join(root, 'src', 'cli', 'main.ts'))) return true; // an installed package: no sources
  if (!existsSync(stamp)) return false;
  const builtAt = statSync(stamp).mtimeMs;
  return !sourceDirs.some((dir) => existsSync(dir) && changedSince(dir, builtAt));
}

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Asked often by scripts and installers: answered without loading the CLI at all.
  process.stdout.write(`${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
} else if (compiledIsCurrent()) {
  await import(pathToFileURL(compiled).href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('sandgate: dist/ is missing or older than the sources; run `npm run build`\n');
    process.exit(1);
  }
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
