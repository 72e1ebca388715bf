// The gateway process inside its sandbox: started as the one command of a Daytona session (whose
// output is the gateway's log), stopped gracefully, and its state copied to and from the volume
// around a stop. Failures surface as RemoteCommandError or the SDK's DaytonaError.

import type { Sandbox } from '@daytonaio/sdk';
import { isNotFound } from '../../src/sandbox/providers/daytona/retry.js';
import { startCommand } from './app-bundle.js';
import {
  DAYTONA_HOME,
  DEFAULT_PORT,
  layoutFor,
  PORT_LABEL,
  type SandboxLayout,
  SESSION_ID,
} from './layout.js';
import {
  backupScript,
  restoreScript,
  runScript,
  startLine,
  stopGatewayScript,
  swapScript,
} from './sandbox-scripts.js';

const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';

/** Where things are in this sandbox: under the home its daemon reports. */
export async function layoutOf(sb: Sandbox): Promise<SandboxLayout> {
  return layoutFor((await sb.getUserHomeDir()) ?? DAYTONA_HOME);
}

/** The gateway's port, kept as a label so --status, --logs and --link find it again. */
export function portOf(sb: Sandbox): number {
  const port = Number(sb.labels?.[PORT_LABEL]);
  return Number.isInteger(port) && port > 0 ? port : DEFAULT_PORT;
}

export async function rememberPort(sb: Sandbox, port: number): Promise<void> {
  if (sb.labels?.[PORT_LABEL] === String(port)) return;
  await sb.setLabels({ ...sb.labels, [PORT_LABEL]: String(port) });
}

/** SIGTERM, wait, SIGKILL after 15 s. Says "stopped", "not running" or "killed after 15 s". */
export async function stopGateway(sb: Sandbox, layout: SandboxLayout): Promise<string> {
  return lastLine(await runScript(sb, 'stopping the gateway', stopGatewayScript(layout), 60));
}

/** Copies the (stopped) gateway's state to the volume; says where, or "no state yet". */
export async function backUpState(sb: Sandbox, layout: SandboxLayout): Promise<string> {
  return lastLine(await runScript(sb, 'copying the state to the volume', backupScript(layout), 600));
}

/** Stops the gateway and copies its state to the volume, in words for a progress line. */
export async function stopAndBackUp(sb: Sandbox, layout: SandboxLayout): Promise<string> {
  const stopped = await stopGateway(sb, layout);
  const copy = await backUpState(sb, layout);
  const where = copy === 'no state yet' ? copy : `state copied to the volume (${copy.split('/').pop()})`;
  return `${stopped === 'not running' ? 'no gateway was running' : `gateway ${stopped}`}; ${where}`;
}

/** The session command running (or last run) as the gateway, if any. */
export async function gatewayCommand(sb: Sandbox): Promise<{ id: string; exitCode?: number } | undefined> {
  try {
    const session = await sb.process.getSession(SESSION_ID);
    const last = session.commands?.at(-1);
    if (!last) return undefined;
    return { id: last.id, ...(typeof last.exitCode === 'number' ? { exitCode: last.exitCode } : {}) };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Makes the installed release current (only after the old gateway stopped). */
export async function swapRelease(sb: Sandbox, layout: SandboxLayout): Promise<void> {
  await runScript(sb, 'switching to the new release', swapScript(layout), 120);
}

/**
 * Starts `sandgate gateway` in a fresh session, restoring the state from the volume first when the
 * sandbox has none (a replaced sandbox). Returns the session command id and what happened to the state.
 */
export async function startGateway(
  sb: Sandbox,
  layout: SandboxLayout,
  env: Record<string, string>,
): Promise<{ cmdId: string; state: string }> {
  const state = lastLine(await runScript(sb, 'restoring the state', restoreScript(layout), 600));
  try {
    await sb.process.deleteSession(SESSION_ID);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await sb.process.createSession(SESSION_ID);
  const { cmdId } = await sb.process.executeSessionCommand(SESSION_ID, {
    command: startLine(layout, startCommand(), env),
    runAsync: true,
  });
  if (!cmdId) throw new Error('Daytona returned no command id for the gateway session');
  return { cmdId, state };
}
