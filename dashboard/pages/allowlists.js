// Allowlists: who may use the bot on each channel without pairing (senders, and groups as
// group:<conversation key>), with the channel owner marked. Add and remove entries.

import { api } from '../lib/api.js';
import { add, badge, busy, clear, code, confirmButton, emptyState, fmtAgo, h, toast } from '../lib/dom.js';

const CHANNELS = ['telegram', 'whatsapp', 'slack'];

function addForm(reload) {
  const channel = h(
    'select',
    { id: 'allow-channel', name: 'channel' },
    CHANNELS.map((c) => h('option', { value: c }, c)),
  );
  const entry = h('input', {
    type: 'text',
    id: 'allow-entry',
    name: 'entry',
    required: true,
    placeholder: 'sender id, or group:<conversation key>',
    autocomplete: 'off',
  });
  const name = h('input', {
    type: 'text',
    id: 'allow-name',
    name: 'name',
    placeholder: 'optional',
    autocomplete: 'off',
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add');
  return h(
    'form',
    {
      class: 'panel',
      onsubmit: (e) => {
        e.preventDefault();
        if (!entry.value.trim()) return;
        void busy(submit, async () => {
          const res = await api.post(`/allow/${channel.value}/add`, {
            entry: entry.value.trim(),
            ...(name.value.trim() ? { name: name.value.trim() } : {}),
          });
          toast(
            res.added
              ? `Added ${entry.value.trim()} on ${channel.value}.`
              : `${entry.value.trim()} was already allowed.`,
          );
          entry.value = '';
          name.value = '';
          await reload();
        });
      },
    },
    h('h3', {}, 'Allow someone'),
    h(
      'div',
      { class: 'form-row' },
      h('div', { class: 'field narrow' }, h('label', { for: 'allow-channel' }, 'Channel'), channel),
      h('div', { class: 'field' }, h('label', { for: 'allow-entry' }, 'Sender or group'), entry),
      h('div', { class: 'field narrow' }, h('label', { for: 'allow-name' }, 'Name'), name),
      h('div', {}, submit),
    ),
  );
}

function entryRow(e, owners, reload) {
  const isOwner =
    e.kind === 'sender' && owners.some((o) => o.channel === e.channel && o.senderId === e.subject);
  const label = e.kind === 'group' ? `group:${e.subject}` : e.subject;
  return h(
    'tr',
    { 'data-entry': label },
    h(
      'td',
      {},
      h('span', { class: 'mono' }, label),
      e.name ? h('span', { class: 'muted' }, ` ${e.name}`) : null,
      isOwner ? [' ', badge('me', 'owner')] : null,
    ),
    h('td', { class: 'optional' }, e.addedBy),
    h('td', { class: 'optional' }, fmtAgo(e.addedAt)),
    h(
      'td',
      { class: 'actions' },
      confirmButton(
        'Remove',
        'Really remove?',
        async () => {
          await api.post(`/allow/${e.channel}/remove`, { entry: label });
          toast(`Removed ${label} from ${e.channel}.`);
          await reload();
        },
        { 'aria-label': `Remove ${label} from ${e.channel}` },
      ),
    ),
  );
}

export async function render(view) {
  const list = h('div', {});
  const reload = async () => {
    const { entries, owners } = await api.get('/allow');
    const byChannel = CHANNELS.map((c) => [c, entries.filter((e) => e.channel === c)]).filter(
      ([, es]) => es.length,
    );
    clear(
      list,
      ...(byChannel.length
        ? byChannel.map(([c, es]) =>
            h(
              'section',
              { 'data-allow-channel': c },
              h('h2', {}, c),
              h(
                'div',
                { class: 'table-wrap' },
                h(
                  'table',
                  {},
                  h(
                    'thead',
                    {},
                    h(
                      'tr',
                      {},
                      h('th', {}, 'Entry'),
                      h('th', { class: 'optional' }, 'Added by'),
                      h('th', { class: 'optional' }, 'When'),
                      h('th', {}, h('span', { class: 'muted' }, '')),
                    ),
                  ),
                  h(
                    'tbody',
                    {},
                    es.map((e) => entryRow(e, owners, reload)),
                  ),
                ),
              ),
            ),
          )
        : [
            emptyState(
              'Nobody is allowed yet',
              'Approve a pairing request, add a sender id above, or run ',
              code('sandgate allow add telegram SENDER_ID'),
              '. The first person approved on a channel becomes its owner.',
            ),
          ]),
    );
  };
  add(
    view,
    h('h1', {}, 'Allowlists'),
    h(
      'p',
      { class: 'muted' },
      'People and groups who may use the bot. The local chat (this dashboard, ',
      code('sandgate chat'),
      ') is always allowed.',
    ),
    addForm(reload),
    list,
  );
  await reload();
}
