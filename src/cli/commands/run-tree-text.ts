// `sandgate runs show ID` for a run that grew a tree of agents (/rlm): one indented line per agent with
// its depth, iterations, time and own cost, then its answer or error, shortened. Reads the stored JSON
// defensively: a node missing fields prints what it has.

import { shorten } from '../../text/cut.js';

interface NodeLike {
  agent_id?: unknown;
  depth?: unknown;
  iterations?: unknown;
  spawned_agents?: unknown;
  result?: unknown;
  error?: unknown;
  usage?: { cost_usd?: unknown } | null;
  execution_time_s?: unknown;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The tree as indented lines (two spaces per depth). */
export function treeLines(tree: unknown): string[] {
  const out: string[] = [];
  const walk = (node: NodeLike, indent: number) => {
    const pad = '  '.repeat(indent);
    const iterations = Array.isArray(node.iterations) ? node.iterations.length : 0;
    const time =
      typeof node.execution_time_s === 'number' ? `${node.execution_time_s.toFixed(1)} s` : 'running';
    const cost = typeof node.usage?.cost_usd === 'number' ? `$${node.usage.cost_usd.toFixed(4)}` : '$?';
    out.push(
      `${pad}${String(node.agent_id ?? '?')}  depth ${String(node.depth ?? '?')}  ${iterations} iteration${iterations === 1 ? '' : 's'}  ${time}  ${cost}`,
    );
    if (typeof node.error === 'string') out.push(`${pad}  ✗ ${shorten(oneLine(node.error), 100)}`);
    else if (typeof node.result === 'string') out.push(`${pad}  → ${shorten(oneLine(node.result), 100)}`);
    for (const child of Array.isArray(node.spawned_agents) ? node.spawned_agents : [])
      if (child && typeof child === 'object') walk(child as NodeLike, indent + 1);
  };
  if (tree && typeof tree === 'object') walk(tree as NodeLike, 1);
  return out;
}
