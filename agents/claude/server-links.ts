// Preview links for the servers Claude Code left running: whatever listens on TCP inside the sandbox
// after the run (its own network namespace, read from /proc/net), except the model proxy's port.
// Reading fails soft: no links, never a failed run.

import type { Logger } from 'pino';
import type { Sandbox } from '../../src/sandbox/provider.js';

const MAX_LINKS = 5;
/** `st` column of /proc/net/tcp for a listening socket. */
const LISTEN = '0A';

/** Listening ports in /proc/net/tcp{,6} text. */
export function listeningPorts(procNetTcp: string): number[] {
  const ports = new Set<number>();
  for (const line of procNetTcp.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[3] !== LISTEN) continue;
    const port = Number.parseInt(cols[1]?.split(':')[1] ?? '', 16);
    if (port > 0) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

export async function serverLinks(
  sandbox: Sandbox,
  exclude: number[],
  log: Logger,
): Promise<{ url: string; label: string }[]> {
  try {
    const r = await sandbox.exec('cat /proc/net/tcp /proc/net/tcp6 2>/dev/null', { timeoutMs: 10_000 });
    const ports = listeningPorts(r.stdout)
      .filter((p) => !exclude.includes(p))
      .slice(0, MAX_LINKS);
    const links: { url: string; label: string }[] = [];
    for (const port of ports) {
      const { url } = await sandbox.previewUrl(port);
      links.push({ url, label: `preview (port ${port})` });
    }
    return links;
  } catch (err) {
    log.debug({ err }, 'claude: could not list the servers in the sandbox');
    return [];
  }
}
