// Conversations and runs: pick a conversation, see its runs; open a run for its prompt, live progress
// (tool calls and steps), replies, charts inline, preview links, token usage and cost.

import { api } from '../lib/api.js';
import {
  add,
  badge,
  clear,
  code,
  emptyState,
  fmtAgo,
  fmtCost,
  fmtDuration,
  fmtTime,
  fmtTokens,
  h,
} from '../lib/dom.js';
import { onRunEvent } from '../lib/live.js';
import { agentTree } from './run-tree.js';

function usageText(u) {
  if (!u) return '';
  const parts = [];
  if (u.inputTokens !== undefined) parts.push(`${fmtTokens(u.inputTokens)} in`);
  if (u.outputTokens !== undefined) parts.push(`${fmtTokens(u.outputTokens)} out`);
  if (u.cacheReadTokens) parts.push(`${fmtTokens(u.cacheReadTokens)} cached`);
  if (u.costUsd !== undefined) parts.push(fmtCost(u.costUsd));
  return parts.join(' · ');
}

function runRow(r) {
  return h(
    'tr',
    { 'data-run': r.id },
    h('td', {}, h('a', { href: `#/runs/${r.id}` }, `#${r.id}`)),
    h('td', {}, r.kind),
    h('td', {}, badge(r.state)),
    h('td', { class: 'optional' }, fmtAgo(r.startedAt)),
    h('td', { class: 'optional' }, fmtDuration(r.startedAt, r.finishedAt)),
    h('td', { class: 'small' }, usageText(r.usage)),
  );
}

async function listContent(selected) {
  const [{ conversations }, { runs }] = await Promise.all([
    api.get('/conversations'),
    api.get(`/runs?limit=100${selected ? `&conversation=${encodeURIComponent(selected)}` : ''}`),
  ]);
  const convLinks = h(
    'nav',
    { class: 'panel conv-list', 'aria-label': 'Conversations' },
    h('h3', {}, 'Conversations'),
    h('a', { href: '#/runs', 'aria-current': String(!selected) }, 'All'),
    conversations.map((c) =>
      h(
        'a',
        { href: `#/runs?c=${encodeURIComponent(c.key)}`, 'aria-current': String(c.key === selected) },
        h('span', { class: 'mono small' }, c.key),
        h(
          'div',
          { class: 'muted small' },
          `${c.runs} run${c.runs === 1 ? '' : 's'} · ${fmtAgo(c.lastRunAt)}`,
        ),
      ),
    ),
  );
  const table = runs.length
    ? h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { id: 'runs' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'Run'),
              h('th', {}, 'Kind'),
              h('th', {}, 'State'),
              h('th', { class: 'optional' }, 'Started'),
              h('th', { class: 'optional' }, 'Took'),
              h('th', {}, 'Tokens · cost'),
            ),
          ),
          h('tbody', {}, runs.map(runRow)),
        ),
      )
    : emptyState(
        'No runs yet',
        'Runs appear here when someone messages the bot. Try ',
        code('/help'),
        ' on the ',
        h('a', { href: '#/chat' }, 'Chat page'),
        '.',
      );
  return h('div', { class: 'two-col' }, convLinks, h('div', {}, table));
}

async function renderList(view, ctx) {
  const selected = ctx.query.get('c') ?? '';
  const box = h('div', {});
  add(
    view,
    h('h1', {}, 'Conversations and runs'),
    h(
      'p',
      { class: 'muted' },
      selected
        ? ['Runs in ', h('span', { class: 'mono' }, selected)]
        : 'The latest runs in every conversation.',
      ' ',
      h('span', { class: 'live' }, '● live'),
    ),
    box,
  );
  const load = async () => clear(box, await listContent(selected));
  await load();
  let timer;
  const off = onRunEvent((name, data) => {
    if (name === 'run-progress' || (selected && data.conversationKey !== selected)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void load().catch(() => {}), 250);
  });
  return () => {
    off();
    clearTimeout(timer);
  };
}

/** Each tool call of the run: name, input, output, duration, and the asking turn's tokens and cache hits. */
function toolCallsTable(calls) {
  const json = (v) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));
  return h(
    'div',
    { class: 'panel table-wrap' },
    h(
      'table',
      { class: 'tool-calls', id: 'tool-calls' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Tool', 'Input', 'Output', 'Took', 'Tokens in · out', 'Cache hits'].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        calls.map((c) =>
          h(
            'tr',
            { 'data-tool-call': c.id },
            h(
              'td',
              { class: 'mono' },
              c.agent ? `[${c.agent}] ${c.name}` : c.name,
              c.isError ? [' ', badge('failed', 'error')] : null,
            ),
            h('td', {}, h('pre', { class: 'small' }, json(c.input))),
            h('td', {}, h('pre', { class: 'small' }, c.output)),
            h(
              'td',
              { class: 'small' },
              c.durationMs < 1000 ? `${c.durationMs} ms` : `${(c.durationMs / 1000).toFixed(1)} s`,
            ),
            h('td', { class: 'small' }, `${fmtTokens(c.tokens.input)} · ${fmtTokens(c.tokens.output)}`),
            h('td', { class: 'small' }, fmtTokens(c.tokens.cacheRead)),
          ),
        ),
      ),
    ),
  );
}

function progressItem(line) {
  const tool = /^(\[[^\]]+\] )?(🔧|tool|→|\$ )/i.test(line);
  return h('li', { class: tool ? 'tool' : '' }, line);
}

async function runContent(view, id) {
  const detail = await api.get(`/runs/${encodeURIComponent(id)}`);
  const { run } = detail;
  const state = h('span', {}, badge(run.state));
  const progress = h(
    'ol',
    { class: 'progress-lines', id: 'progress', 'aria-live': 'polite' },
    run.progress.map(progressItem),
  );
  const took = h('dd', {}, fmtDuration(run.startedAt, run.finishedAt));
  const treeBox = h('div', { class: 'panel' }, detail.tree ? agentTree(detail.tree) : null);
  add(
    view,
    h(
      'p',
      {},
      h('a', { href: `#/runs?c=${encodeURIComponent(run.conversationKey)}` }, '← ', run.conversationKey),
    ),
    h('h1', {}, `Run #${run.id} · ${run.kind} `, state),
    h(
      'div',
      { class: 'panel' },
      h(
        'dl',
        { class: 'kv' },
        h('dt', {}, 'Conversation'),
        h('dd', { class: 'mono' }, run.conversationKey),
        h('dt', {}, 'Started'),
        h('dd', {}, fmtTime(run.startedAt)),
        h('dt', {}, 'Took'),
        took,
        h('dt', {}, 'Tokens · cost'),
        h('dd', { id: 'usage' }, usageText(run.usage) || 'no model use'),
        run.error ? [h('dt', {}, 'Error'), h('dd', { class: 'error-text' }, run.error)] : null,
      ),
    ),
    detail.prompt
      ? [
          h('h2', {}, 'Asked'),
          h(
            'div',
            { class: 'panel' },
            h('p', { class: 'muted small' }, detail.prompt.senderName || detail.prompt.senderId),
            h('pre', {}, detail.prompt.text),
          ),
        ]
      : null,
    detail.tree ? [h('h2', {}, 'Agents'), treeBox] : null,
    h('h2', {}, 'Progress'),
    h(
      'div',
      { class: 'panel' },
      run.progress.length || run.state === 'running'
        ? progress
        : h('p', { class: 'muted' }, 'No steps recorded (a quick command or a direct answer).'),
    ),
    detail.toolCalls?.length ? [h('h2', {}, 'Tool calls'), toolCallsTable(detail.toolCalls)] : null,
    detail.artifacts.some((a) => a.inline)
      ? [
          h('h2', {}, 'Charts and images'),
          h(
            'div',
            { class: 'figures' },
            detail.artifacts
              .filter((a) => a.inline)
              .map((a) =>
                h(
                  'figure',
                  { 'data-artifact': a.id },
                  h('img', { src: a.url, alt: a.caption || a.name, loading: 'lazy' }),
                  h('figcaption', {}, a.caption || a.name),
                ),
              ),
          ),
        ]
      : null,
    detail.artifacts.some((a) => !a.inline)
      ? [
          h('h2', {}, 'Files'),
          h(
            'ul',
            {},
            detail.artifacts
              .filter((a) => !a.inline)
              .map((a) =>
                h(
                  'li',
                  {},
                  h('a', { href: a.url, download: a.name }, a.name),
                  h('span', { class: 'muted small' }, ` ${a.mime}`),
                ),
              ),
          ),
        ]
      : null,
    detail.links.length
      ? [
          h('h2', {}, 'Preview links'),
          h(
            'ul',
            { id: 'links' },
            detail.links.map((l) =>
              h(
                'li',
                {},
                h('a', { href: l.url, target: '_blank', rel: 'noopener noreferrer' }, l.label || l.url),
              ),
            ),
          ),
        ]
      : null,
    detail.replies.length
      ? [
          h('h2', {}, 'Replies'),
          detail.replies.map((r) =>
            h('div', { class: 'panel' }, h('pre', {}, r.text || '(attachments only)')),
          ),
        ]
      : null,
  );
  return { run, progress, treeBox: detail.tree ? treeBox : null };
}

async function renderRun(view, id) {
  let current = await runContent(view, id);
  let timer;
  let treeTimer;
  const redrawTree = async () => {
    treeTimer = undefined;
    const { tree } = await api.get(`/runs/${encodeURIComponent(id)}/tree`);
    if (!tree) return;
    if (!current.treeBox) {
      // The first redraw after the tree appeared: draw the whole page again, with its Agents section.
      const box = h('div', {});
      current = await runContent(box, id);
      clear(view, ...box.childNodes);
      return;
    }
    const old = current.treeBox.firstChild;
    clear(current.treeBox, agentTree(tree, old));
  };
  const off = onRunEvent((name, data) => {
    if (data.runId !== current.run.id) return;
    if (name === 'run-progress') {
      current.progress.append(progressItem(data.agent ? `[${data.agent}] ${data.text}` : data.text));
      // An agent tree (/rlm) grows with its progress: redraw it, at most a few times a second.
      if (!treeTimer && (current.treeBox || current.run.kind === 'rlm'))
        treeTimer = setTimeout(() => void redrawTree().catch(() => {}), 300);
    }
    if (name === 'run-finish') {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const box = h('div', {});
        current = await runContent(box, id);
        clear(view, ...box.childNodes);
      }, 300);
    }
  });
  return () => {
    off();
    clearTimeout(timer);
    clearTimeout(treeTimer);
  };
}

export async function render(view, ctx) {
  if (ctx.params[0]) return renderRun(view, ctx.params[0]);
  return renderList(view, ctx);
}
