// The shell run inside the gateway sandbox: unpack and install a release next to the running one,
// swap it in, stop the gateway gracefully (SIGTERM via the pid in its instance lock, SIGKILL after
// 15 s), and copy the state to and from the volume. POSIX sh only; a failing script's exit code and
// output tail come back as RemoteCommandError.

import type { Sandbox } from '@daytonaio/sdk';
import { shellLine, shq } from '../../src/sandbox/providers/daytona/remote-shell.js';
import type { SandboxLayout } from './layout.js';
import { RemoteCommandError } from './steps.js';

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs `script` with sh in the sandbox; returns its output, throws RemoteCommandError on failure. */
export async function runScript(
  sb: Sandbox,
  what: string,
  script: string,
  timeoutSec: number,
): Promise<string> {
  const r = await sb.process.executeCommand(shellLine(script), undefined, undefined, timeoutSec);
  if (r.exitCode !== 0) throw new RemoteCommandError(what, r.exitCode, tail(r.result, 25));
  return r.result;
}

/**
 * Puts Node on PATH and checks its version. Daytona's own images install Node with nvm (under
 * /usr/local/share/nvm); a non-login shell may not have it on PATH yet.
 */
export function nodeSetup(): string {
  return [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
    'command -v node >/dev/null 2>&1 || command . "${NVM_DIR:-/usr/local/share/nvm}/nvm.sh" >/dev/null 2>&1 || true',
    `node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null || { echo "sandgate needs Node 20 or newer in the sandbox; found: $(node --version 2>/dev/null || echo none)" >&2; exit 1; }`,
  ].join('\n');
}

/** Unpacks the uploaded archive into the `next` folder and installs its dependencies there. */
export function installScript(l: SandboxLayout, install: string): string {
  return [
    'set -e',
    `rm -rf ${shq(l.next)}`,
    `mkdir -p ${shq(l.next)}`,
    `tar -xzf ${shq(l.archive)} -C ${shq(l.next)}`,
    `rm -f ${shq(l.archive)}`,
    `cd ${shq(l.next)}`,
    nodeSetup(),
    `${install} 2>&1`,
  ].join('\n');
}

/** Makes the installed release the running one, keeping the one before as `previous`. */
export function swapScript(l: SandboxLayout): string {
  return [
    'set -e',
    `rm -rf ${shq(l.previous)}`,
    `if [ -d ${shq(l.app)} ]; then mv ${shq(l.app)} ${shq(l.previous)}; fi`,
    `mv ${shq(l.next)} ${shq(l.app)}`,
  ].join('\n');
}

/** Stops a running gateway the way `sandgate gateway` expects (SIGTERM: it drains within 10 s). */
export function stopGatewayScript(l: SandboxLayout): string {
  return [
    `lock=${shq(`${l.state}/gateway.lock`)}`,
    'pid=$(cat "$lock" 2>/dev/null || true)',
    'case "$pid" in ""|*[!0-9]*) echo "not running"; exit 0;; esac',
    'kill -0 "$pid" 2>/dev/null || { echo "not running"; exit 0; }',
    'kill -TERM "$pid"',
    'i=0',
    'while kill -0 "$pid" 2>/dev/null; do',
    '  i=$((i+1))',
    '  if [ "$i" -gt 150 ]; then kill -KILL "$pid" 2>/dev/null; echo "killed after 15 s"; exit 0; fi',
    '  sleep 0.1',
    'done',
    'echo "stopped"',
  ].join('\n');
}

/**
 * Copies the state into a NEW file on the volume (a Daytona volume is S3 behind FUSE: new files
 * written front to back work, rewriting a file in place does not), then keeps the newest three.
 * Prints the copy's path. Run with the gateway stopped, so the SQLite files are consistent.
 */
export function backupScript(l: SandboxLayout): string {
  const vol = shq(l.volume);
  return [
    `[ -d ${shq(l.state)} ] || { echo "no state yet"; exit 0; }`,
    `[ -d ${vol} ] || { echo "the volume is not mounted at ${l.volume}" >&2; exit 1; }`,
    `out=${vol}/state-$(date -u +%Y%m%dT%H%M%SZ)-$$.tar.gz`,
    `if ! tar -czf "$out" -C ${shq(l.state)} --exclude=./gateway.lock . 2>&1; then rm -f "$out"; exit 1; fi`,
    `ls -1 ${vol}/state-*.tar.gz | sort -r | tail -n +4 | while read -r f; do rm -f "$f" || true; done`,
    'echo "$out"',
  ].join('\n');
}

/** Fills an empty state folder from the newest intact copy on the volume (a replaced sandbox). */
export function restoreScript(l: SandboxLayout): string {
  const state = shq(l.state);
  return [
    `if [ -e ${state}/sandgate.db ]; then echo "kept"; exit 0; fi`,
    `mkdir -p ${state} && chmod 700 ${state}`,
    `for f in $(ls -1 ${shq(l.volume)}/state-*.tar.gz 2>/dev/null | sort -r); do`,
    `  if gzip -t "$f" 2>/dev/null && tar -xzf "$f" -C ${state}; then echo "restored $(basename "$f")"; exit 0; fi`,
    'done',
    'echo "new"',
  ].join('\n');
}

/** The session command that runs the gateway: `exec`, so the lock's pid is the gateway's own. */
export function startLine(l: SandboxLayout, argv: string[], env: Record<string, string>): string {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${shq(v)}`);
  return shellLine(
    `${nodeSetup()}\ncd ${shq(l.app)} && exec env ${vars.join(' ')} ${argv.map(shq).join(' ')}`,
  );
}
