// Finds the Claude Code CLI inside the run's sandbox: the read-only mount of a local sandbox (or the
// host path itself when isolation is off), else an install in the sandbox's home. A local sandbox
// started before the binary existed is restarted once; a remote one gets the pinned package by npm.

import type { Logger } from 'pino';
import type { Sandbox } from '../../src/sandbox/provider.js';
import { shorten } from '../../src/text/cut.js';
import { CLAUDE_CODE_PACKAGE, CLAUDE_CODE_VERSION, SANDBOX_CLAUDE_PATH } from './claude-binary.js';

/** Where a remote sandbox gets its own install (no root needed, survives in the sandbox's home). */
const REMOTE_PREFIX = '$HOME/.sandgate-tools';

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function findScript(hostPath: string): string {
  const candidates = [shq(SANDBOX_CLAUDE_PATH), shq(hostPath), `"${REMOTE_PREFIX}/bin/claude"`];
  return `for p in ${candidates.join(' ')}; do if [ -x "$p" ]; then echo "$p"; exit 0; fi; done; exit 1`;
}

async function find(sandbox: Sandbox, hostPath: string): Promise<string | undefined> {
  const r = await sandbox.exec(findScript(hostPath), { timeoutMs: 15_000 });
  const path = r.stdout.trim().split('\n')[0];
  return r.exitCode === 0 && path ? path : undefined;
}

export async function locateInSandbox(
  sandbox: Sandbox,
  hostPath: string,
  log: Logger,
): Promise<{ path: string } | { refused: string }> {
  const found = await find(sandbox, hostPath);
  if (found) return { path: found };
  if (sandbox.listenInside) {
    // Local: the binary is mounted when the sandbox starts; this one started before it existed.
    log.info({ sandbox: sandbox.id }, 'claude: restarting the sandbox to mount the Claude Code binary');
    await sandbox.stop();
    const again = await find(sandbox, hostPath);
    if (again) return { path: again };
    return {
      refused: [
        `The sandbox cannot see the Claude Code binary (${hostPath}).`,
        'When the gateway runs as root, sandboxes run as an unprivileged user that must be able to read it and every directory above it:',
        'install it somewhere that user can reach (e.g. /opt/claude-code) and point agents.claude.bin (SANDGATE_CLAUDE_BIN) at it.',
      ].join('\n'),
    };
  }
  log.info({ sandbox: sandbox.id }, 'claude: installing Claude Code in the sandbox');
  const install = await sandbox.exec(
    `command -v npm >/dev/null 2>&1 || { echo "npm is not installed in the sandbox"; exit 127; }; npm install -g --no-fund --no-audit --prefix "${REMOTE_PREFIX}" ${CLAUDE_CODE_PACKAGE}@${CLAUDE_CODE_VERSION} 2>&1 | tail -n 5`,
    { timeoutMs: 600_000 },
  );
  const installed = await find(sandbox, hostPath);
  if (installed) return { path: installed };
  return {
    refused: `Claude Code could not be installed in the sandbox (npm install ${CLAUDE_CODE_PACKAGE}@${CLAUDE_CODE_VERSION}): ${shorten((install.stdout + install.stderr).trim(), 800) || `exit code ${install.exitCode}`}`,
  };
}
