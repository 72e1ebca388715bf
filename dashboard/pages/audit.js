// The audit log: every approval, denial, allowlist and device change, who made it (cli, dashboard, an
// owner's chat) and when, newest first.

import { api } from '../lib/api.js';
import { add, emptyState, fmtTime, h } from '../lib/dom.js';

function detailText(detail) {
  if (!detail) return '';
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
}

export async function render(view) {
  const { entries } = await api.get('/audit?limit=300');
  add(
    view,
    h('h1', {}, 'Audit log'),
    h('p', { class: 'muted' }, 'Who let whom in, and when.'),
    entries.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { id: 'audit' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'When'),
                h('th', {}, 'Action'),
                h('th', { class: 'optional' }, 'Channel'),
                h('th', {}, 'Subject'),
                h('th', {}, 'By'),
                h('th', { class: 'optional' }, 'Detail'),
              ),
            ),
            h(
              'tbody',
              {},
              entries.map((e) =>
                h(
                  'tr',
                  {},
                  h('td', { class: 'small' }, fmtTime(e.at)),
                  h('td', {}, e.action),
                  h('td', { class: 'optional' }, e.channel),
                  h('td', { class: 'mono small' }, e.subject),
                  h('td', { class: 'small' }, e.actor),
                  h('td', { class: 'optional small muted' }, detailText(e.detail)),
                ),
              ),
            ),
          ),
        )
      : emptyState(
          'Nothing recorded yet',
          'Approvals, denials, allowlist and device changes appear here as they happen.',
        ),
  );
}
