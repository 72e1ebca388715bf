// Signed, expiring, revocable preview tokens: HMAC-SHA256 over (sandbox, port, expiry, issue time,
// nonce). Revocations live in a small JSON file so the CLI and the gateway agree; a corrupt file is
// treated as "nothing revoked" and logged by the caller, never as "everything allowed" for a bad MAC.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

const payloadSchema = z.object({
  s: z.string().min(1).max(128),
  p: z.number().int().min(1).max(65535),
  e: z.number().int(),
  i: z.number().int(),
  n: z.string().min(8).max(64),
});

const revocationSchema = z.object({
  tokens: z.record(z.string(), z.number()).default({}),
  sandboxes: z.record(z.string(), z.number()).default({}),
});
type Revocations = z.infer<typeof revocationSchema>;

export type PreviewCheck =
  | { ok: true; sandboxId: string; port: number; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'revoked' };

export interface PreviewTokensOptions {
  secret: string | Buffer;
  /** JSON file holding revocations; omit to keep them in memory only. */
  revocationFile?: string;
  /** Seconds since the epoch; injectable for tests. */
  now?: () => number;
  maxTtlSec?: number;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class PreviewTokens {
  private readonly key: Buffer;
  private readonly now: () => number;
  private revoked: Revocations = { tokens: {}, sandboxes: {} };
  private loadedMtime = -1;

  constructor(private readonly o: PreviewTokensOptions) {
    if (Buffer.byteLength(o.secret) < 16) throw new Error('preview secret must be at least 16 bytes');
    this.key = createHmac('sha256', o.secret).update('sandgate preview v1').digest();
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
  }

  sign(sandboxId: string, port: number, ttlSec: number): { token: string; expiresAt: Date } {
    const ttl = Math.max(1, Math.min(Math.floor(ttlSec), this.o.maxTtlSec ?? 7 * 24 * 3600));
    const i = this.now();
    const payload = { s: sandboxId, p: port, e: i + ttl, i, n: randomBytes(12).toString('base64url') };
    const body = b64(JSON.stringify(payload));
    return { token: `${body}.${this.mac(body)}`, expiresAt: new Date(payload.e * 1000) };
  }

  verify(token: string): PreviewCheck {
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 1024) return { ok: false, reason: 'malformed' };
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== want.length || !timingSafeEqual(given, want))
      return { ok: false, reason: 'bad-signature' };
    let payload: z.infer<typeof payloadSchema>;
    try {
      payload = payloadSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (payload.e <= this.now()) return { ok: false, reason: 'expired' };
    this.reload();
    const cutoff = this.revoked.sandboxes[payload.s];
    if (this.revoked.tokens[payload.n] !== undefined || (cutoff !== undefined && payload.i <= cutoff)) {
      return { ok: false, reason: 'revoked' };
    }
    return { ok: true, sandboxId: payload.s, port: payload.p, expiresAt: new Date(payload.e * 1000) };
  }

  /** Revoke one link (token or full URL). Returns false when it was not a valid token. */
  revoke(tokenOrUrl: string): boolean {
    const token = extractToken(tokenOrUrl);
    const check = token ? this.verify(token) : undefined;
    if (!token || !check || (!check.ok && check.reason !== 'revoked')) return false;
    const body = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as {
      n: string;
      e: number;
    };
    this.update((r) => {
      r.tokens[body.n] = body.e;
    });
    return true;
  }

  /** Revoke every link issued so far for a sandbox (on delete, or "stop sharing"). */
  revokeSandbox(sandboxId: string): void {
    const now = this.now();
    this.update((r) => {
      r.sandboxes[sandboxId] = now;
    });
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  private reload(): void {
    const file = this.o.revocationFile;
    if (!file) return;
    let mtime: number;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      return;
    }
    if (mtime === this.loadedMtime) return;
    try {
      this.revoked = revocationSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      this.loadedMtime = mtime;
    } catch {
      // Keep what we had: a half-written file must not un-revoke links.
    }
  }

  private update(change: (r: Revocations) => void): void {
    this.reload();
    change(this.revoked);
    const now = this.now();
    const maxTtl = this.o.maxTtlSec ?? 7 * 24 * 3600;
    for (const [n, exp] of Object.entries(this.revoked.tokens)) if (exp <= now) delete this.revoked.tokens[n];
    for (const [s, at] of Object.entries(this.revoked.sandboxes)) {
      if (at + maxTtl <= now) delete this.revoked.sandboxes[s];
    }
    const file = this.o.revocationFile;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.revoked), { mode: 0o600 });
    renameSync(tmp, file);
    this.loadedMtime = statSync(file).mtimeMs;
  }
}

/** The token inside `…/preview/<token>/…`, or the argument itself when it is a bare token. */
export function extractToken(tokenOrUrl: string): string | undefined {
  const m = /\/preview\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(tokenOrUrl);
  if (m) return m[1];
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(tokenOrUrl) ? tokenOrUrl : undefined;
}
