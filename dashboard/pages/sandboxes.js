// Sandboxes: the isolated workspaces conversations run in (local bubblewrap or Daytona), with their
// labels; delete one that is stuck or no longer needed (the conversation gets a fresh one next time).

import { api } from '../lib/api.js';
import { add, badge, clear, code, confirmButton, emptyState, h, toast } from '../lib/dom.js';

export async function render(view) {
  const body = h('div', {});
  add(
    view,
    h('h1', {}, 'Sandboxes'),
    h('p', { class: 'muted' }, 'Where agents and commands run. Each conversation leases one and reuses it.'),
    body,
  );
  const load = async () => {
    const res = await api.get('/sandboxes');
    if (!res.available) {
      clear(
        body,
        emptyState(
          'Sandbox listing is not available',
          'This gateway has no sandbox provider connected to the dashboard. Check ',
          code('sandgate doctor'),
          ' and the sandbox settings (SANDGATE_SANDBOX, DAYTONA_API_KEY).',
        ),
      );
      return;
    }
    if (!res.sandboxes.length) {
      clear(
        body,
        emptyState(
          'No sandboxes right now',
          'One is created when an agent or a command such as ',
          code('/sh ls'),
          ' runs in a conversation.',
        ),
      );
      return;
    }
    clear(
      body,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { id: 'sandboxes' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'Sandbox'),
              h('th', {}, 'State'),
              h('th', { class: 'optional' }, 'Provider'),
              h('th', { class: 'optional' }, 'Labels'),
              h('th', {}, ''),
            ),
          ),
          h(
            'tbody',
            {},
            res.sandboxes.map((s) =>
              h(
                'tr',
                { 'data-sandbox': s.id },
                h('td', { class: 'mono small' }, s.id),
                h('td', {}, badge(s.state)),
                h('td', { class: 'optional' }, s.provider),
                h(
                  'td',
                  { class: 'optional small' },
                  Object.entries(s.labels ?? {}).map(([k, v]) =>
                    h('div', {}, h('span', { class: 'muted' }, `${k}=`), v),
                  ),
                ),
                h(
                  'td',
                  { class: 'actions' },
                  confirmButton(
                    'Delete',
                    'Really delete?',
                    async () => {
                      await api.post(`/sandboxes/${encodeURIComponent(s.id)}/delete`);
                      toast(`Deleted ${s.id}.`);
                      await load();
                    },
                    { 'aria-label': `Delete sandbox ${s.id}` },
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  };
  await load();
}
