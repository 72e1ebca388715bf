// Memory of a process tree for the benches: the gateway's own process plus every sandbox supervisor,
// interpreter and command it started, read from /proc (Linux only).

import { readdirSync, readFileSync } from 'node:fs';

/** Sum of VmRSS (KiB) over `root` and all its descendants, read from /proc. */
export function treeRssKb(root: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited while we looked
    }
  }
  let total = 0;
  const todo = [root];
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop()) {
    try {
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // exited while we looked
    }
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}
