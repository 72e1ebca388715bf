// The agent tree of a /rlm run on its run page: one collapsible box per agent (depth, iterations, time,
// own cost, answer or error), inside it each iteration's code and output and the sub-agents it started.
// Redrawn while the run goes; boxes the reader opened stay open across redraws.

import { badge, fmtCost, h } from '../lib/dom.js';

function nodeState(n) {
  if (n.execution_time_s === null) return badge('running');
  return n.error ? badge('failed', 'error') : badge('done', 'answered');
}

function pre(label, text, cls = '') {
  if (text === null || text === undefined || text === '') return null;
  return [h('div', { class: 'muted small' }, label), h('pre', { class: cls }, text)];
}

function iterationBox(node, it) {
  const spawned = it.spawned.length ? ` · started ${it.spawned.join(', ')}` : '';
  const calls = it.llm_calls ? ` · ${it.llm_calls} llm_query` : '';
  return h(
    'details',
    { class: 'rlm-iteration', 'data-key': `${node.agent_id}#${it.iteration}` },
    h(
      'summary',
      {},
      `iteration ${it.iteration}${it.code === null ? ' · no code (nudged)' : ''}${it.error ? ' · error' : ''}${calls}${spawned}`,
    ),
    pre('code', it.code, 'code'),
    pre('stdout', it.stdout),
    pre('stderr', it.stderr),
    pre('error', it.error, 'error-text'),
  );
}

function agentBox(n) {
  const time = n.execution_time_s === null ? 'running' : `${n.execution_time_s.toFixed(1)} s`;
  return h(
    'details',
    { class: 'rlm-agent', 'data-key': n.agent_id, 'data-agent': n.agent_id, open: n.depth === 0 },
    h(
      'summary',
      {},
      h('span', { class: 'mono' }, n.agent_id),
      ` · depth ${n.depth} · ${n.iterations.length} iteration${n.iterations.length === 1 ? '' : 's'} · ${time} · ${fmtCost(n.usage.cost_usd)} `,
      nodeState(n),
    ),
    h('div', { class: 'muted small' }, 'task'),
    h('pre', {}, n.task),
    n.iterations.map((it) => iterationBox(n, it)),
    pre('answer', n.result),
    pre('error', n.error, 'error-text'),
    n.spawned_agents.length ? h('div', { class: 'rlm-children' }, n.spawned_agents.map(agentBox)) : null,
  );
}

/** The tree as DOM; `previous` (the last drawing) passes on which boxes were open. */
export function agentTree(tree, previous) {
  const open = new Set(
    previous ? [...previous.querySelectorAll('details[open]')].map((d) => d.dataset.key) : [],
  );
  const closed = new Set(
    previous ? [...previous.querySelectorAll('details:not([open])')].map((d) => d.dataset.key) : [],
  );
  const root = h('div', { class: 'rlm-tree', id: 'rlm-tree' }, agentBox(tree));
  for (const d of root.querySelectorAll('details')) {
    if (open.has(d.dataset.key)) d.open = true;
    else if (closed.has(d.dataset.key)) d.open = false;
  }
  return root;
}
