// Preview links for the servers Claude Code left running: whatever listens on TCP inside the sandbox
// after the run (its own network namespace, read from /proc/net), except the model proxy's port.
// A server started in the background (`nohup … &`) may still be starting when the CLI exits, so while
// processes the run started are alive and nothing listens yet, the check is repeated for a moment.
// Reading fails soft: no links, never a failed run.

import type { Logger } from 'pino';
import type { Sandbox } from '../../src/sandbox/provider.js';
import { sleep } from '../../src/timing/clock.js';

const MAX_LINKS = 5;
/** `st` column of /proc/net/tcp for a listening socket. */
const LISTEN = '0A';
/** How long a process the run left behind gets to start listening, and how often to look (ms). */
const SETTLE_MS = 3000;
const POLL_MS = 150;
const PIDS_MARK = '--pids--';
/** Pids in /proc, without the listing shell and its parent (the exec's own processes). */
const LIST_PIDS = `for d in /proc/[0-9]*; do n=\${d#/proc/}; [ "$n" = "$$" ] || [ "$n" = "$PPID" ] || echo "$n"; done`;

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

function pidsIn(text: string): Set<number> {
  return new Set(
    text
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => Number.isInteger(n) && n > 0),
  );
}

/** The processes in the sandbox now; taken before a run, it tells later which ones the run left. */
export async function sandboxPids(sandbox: Sandbox): Promise<Set<number>> {
  const r = await sandbox.exec(LIST_PIDS, { timeoutMs: 10_000 });
  return pidsIn(r.stdout);
}

/**
 * Links for the ports listening in `sandbox` (at most 5, `exclude` left out). `before` is
 * {@link sandboxPids} from before the run: while a process not in it is alive and nothing listens,
 * this waits up to 3 s for it to start listening. Any failure yields no links.
 */
export async function serverLinks(
  sandbox: Sandbox,
  o: { exclude: number[]; before: Set<number> | undefined; log: Logger },
): Promise<{ url: string; label: string }[]> {
  try {
    const deadline = Date.now() + SETTLE_MS;
    let ports: number[] = [];
    for (;;) {
      const r = await sandbox.exec(
        `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; echo ${PIDS_MARK}; ${LIST_PIDS}`,
        {
          timeoutMs: 10_000,
        },
      );
      const [tcp = '', pids = ''] = r.stdout.split(`${PIDS_MARK}\n`);
      ports = listeningPorts(tcp).filter((p) => !o.exclude.includes(p));
      const before = o.before;
      const leftRunning = before !== undefined && [...pidsIn(pids)].some((p) => !before.has(p));
      if (ports.length > 0 || !leftRunning || Date.now() >= deadline) break;
      await sleep(POLL_MS);
    }
    const links: { url: string; label: string }[] = [];
    for (const port of ports.slice(0, MAX_LINKS)) {
      const { url } = await sandbox.previewUrl(port);
      links.push({ url, label: `preview (port ${port})` });
    }
    return links;
  } catch (err) {
    o.log.debug({ err }, 'claude: could not list the servers in the sandbox');
    return [];
  }
}
