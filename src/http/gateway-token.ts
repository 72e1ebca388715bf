// The gateway token guards /api/* and the dashboard. Generated on first start (32 random bytes,
// base64url) into $SANDGATE_HOME/gateway-token with mode 0600, unless configured explicitly.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function writeToken(file: string, token: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function readToken(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const token = readFileSync(file, 'utf8').trim();
  return token || undefined;
}

/** The configured token if any, else the stored one, else a new stored one. */
export function ensureToken(file: string, configured?: string): { token: string; created: boolean } {
  if (configured) return { token: configured, created: false };
  const stored = readToken(file);
  if (stored) return { token: stored, created: false };
  const token = generateToken();
  writeToken(file, token);
  return { token, created: true };
}

export function rotateToken(file: string): string {
  const token = generateToken();
  writeToken(file, token);
  return token;
}

/** Constant-time comparison (hashing first so lengths do not leak either). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
