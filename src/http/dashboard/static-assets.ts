// Serves the dashboard's own files (dashboard/ in the repository): a fixed list of known file types,
// resolved inside that folder only, read per request so an upgrade needs no cache busting. No CDN.

import { readFile, realpath } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Context } from 'hono';
import { packageRoot } from '../../package-root.js';

export const DEFAULT_ASSETS_DIR = join(packageRoot(), 'dashboard');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

export function assetServer(dir: string) {
  const root = resolve(dir);
  return async (c: Context, relative: string): Promise<Response> => {
    const type = TYPES[extname(relative)];
    if (
      !type ||
      relative.includes('\0') ||
      relative.split('/').some((p) => p === '..' || p.startsWith('.'))
    ) {
      return c.json({ error: 'not found' }, 404);
    }
    try {
      const file = await realpath(join(root, relative));
      if (!file.startsWith(root + sep)) return c.json({ error: 'not found' }, 404);
      const data = await readFile(file);
      return c.body(new Uint8Array(data), 200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
    } catch {
      return c.json({ error: 'not found' }, 404);
    }
  };
}
