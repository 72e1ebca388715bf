// Reaching the deployed gateway from outside: its /healthz through the sandbox's standard preview
// link (token in a header), a signed preview URL for the dashboard, and a one-time login link minted
// by `sandgate dashboard` inside the sandbox (so it approves a device of THAT gateway). A gateway
// that exits while we wait fails at once with the end of its output.

import type { Sandbox } from '@daytonaio/sdk';
import { shq } from '../../src/sandbox/providers/daytona/remote-shell.js';
import { realSleep, type Sleep } from '../../src/sandbox/providers/daytona/retry.js';
import { cliCommand } from './app-bundle.js';
import { type SandboxLayout, SESSION_ID } from './layout.js';
import { nodeSetup, runScript } from './sandbox-scripts.js';

export interface HealthWait {
  timeoutMs?: number;
  pollMs?: number;
  sleep?: Sleep;
  fetch?: typeof fetch;
}

/** Daytona shows browsers a warning page first; a program says it is not a browser. */
const PREVIEW_HEADERS = { 'X-Daytona-Skip-Preview-Warning': 'true' };

/** GET <path> on the gateway through the standard preview link. */
export async function previewGet(sb: Sandbox, port: number, path: string, f: typeof fetch = fetch) {
  const link = await sb.getPreviewLink(port);
  return await f(`${link.url.replace(/\/+$/, '')}${path}`, {
    headers: { ...PREVIEW_HEADERS, 'x-daytona-preview-token': link.token },
    signal: AbortSignal.timeout(10_000),
  });
}

/** The last lines the gateway printed (its session command's output). */
export async function gatewayOutputTail(sb: Sandbox, cmdId: string, lines = 20): Promise<string> {
  const logs = await sb.process.getSessionCommandLogs(SESSION_ID, cmdId);
  const text = `${logs.stdout ?? ''}${logs.stderr ?? ''}` || (logs.output ?? '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Polls /healthz until it answers 200. Throws when the gateway process (session command `cmdId`)
 * exits first, or after `timeoutMs` (default 120 s). Returns the milliseconds it took.
 */
export async function waitForHealth(
  sb: Sandbox,
  port: number,
  cmdId: string,
  o: HealthWait = {},
): Promise<number> {
  const started = Date.now();
  const deadline = started + (o.timeoutMs ?? 120_000);
  let last = 'no answer yet';
  for (;;) {
    try {
      const r = await previewGet(sb, port, '/healthz', o.fetch);
      if (r.ok) return Date.now() - started;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    const cmd = await sb.process.getSessionCommand(SESSION_ID, cmdId);
    if (typeof cmd.exitCode === 'number') {
      throw new Error(`the gateway exited with ${cmd.exitCode}:\n${await gatewayOutputTail(sb, cmdId)}`);
    }
    if (Date.now() > deadline)
      throw new Error(
        `no answer from /healthz within ${Math.round((deadline - started) / 1000)} s (last: ${last}); see \`sandgate deploy daytona --logs\``,
      );
    await (o.sleep ?? realSleep)(o.pollMs ?? 500);
  }
}

export interface DashboardAccess {
  /** The dashboard behind a signed preview URL. */
  dashboardUrl: string;
  expiresAt: Date;
  /** Single use, 10 minutes: approves the browser that opens it. */
  loginLink: string;
}

/** A signed preview URL valid `expiresSec` (1 s – 24 h) and a one-time login link on it. */
export async function dashboardAccess(
  sb: Sandbox,
  layout: SandboxLayout,
  port: number,
  expiresSec: number,
): Promise<DashboardAccess> {
  const signed = await sb.getSignedPreviewUrl(port, expiresSec);
  const expiresAt = new Date(Date.now() + expiresSec * 1000);
  const base = signed.url.replace(/\/+$/, '');
  const argv = cliCommand(['dashboard', '--url', base]);
  const out = await runScript(
    sb,
    'sandgate dashboard',
    `${nodeSetup()}\ncd ${shq(layout.app)} && exec env SANDGATE_HOME=${shq(layout.state)} ${argv.map(shq).join(' ')}`,
    60,
  );
  const loginLink = out
    .split('\n')
    .find((line) => line.includes('/dashboard/#link='))
    ?.trim();
  if (!loginLink) throw new Error(`sandgate dashboard printed no link:\n${out.trim()}`);
  return { dashboardUrl: `${base}/dashboard/`, expiresAt, loginLink };
}
