// Chat with the agents through the gateway's local channel: commands (/sh, /py, /help …) and plain
// text, with files attached. Replies, progress (the status message is edited as the run goes) and images
// arrive over server-sent events; reconnecting resumes from the last event seen.

import { api } from '../lib/api.js';
import { add, code, h, toast } from '../lib/dom.js';

const NAME = /^[\w.-]{1,64}$/;

function bytesToBlobUrl(base64, type = 'application/octet-stream') {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type }));
}

/** Text with ``` fences: the fenced parts become code blocks, the rest stays plain text. */
function richText(text) {
  const nodes = [];
  const fence = /```[\w-]*\n?([\s\S]*?)```/g;
  let last = 0;
  for (const m of text.matchAll(fence)) {
    if (m.index > last)
      nodes.push(h('div', { class: 'text' }, text.slice(last, m.index).replace(/^\n+|\n+$/g, '')));
    nodes.push(h('pre', { class: 'code' }, m[1].replace(/\n$/, '')));
    last = m.index + m[0].length;
  }
  const rest = text.slice(last).replace(/^\n+/, '');
  if (rest) nodes.push(h('div', { class: 'text' }, rest));
  return nodes;
}

function messageBody(ev, blobUrls) {
  const parts = [];
  if (ev.text) parts.push(...richText(ev.text));
  for (const img of ev.images ?? []) {
    parts.push(
      h('img', { src: `data:image/png;base64,${img.pngBase64}`, alt: img.caption || 'image from the agent' }),
    );
    if (img.caption) parts.push(h('div', { class: 'muted small' }, img.caption));
  }
  for (const f of ev.files ?? []) {
    const url = bytesToBlobUrl(f.dataBase64);
    blobUrls.push(url);
    parts.push(
      h('div', { class: 'attachments' }, 'Attached: ', h('a', { href: url, download: f.name }, f.name)),
    );
  }
  for (const l of ev.links ?? []) {
    if (/^https?:\/\//i.test(l.url))
      parts.push(
        h('div', {}, h('a', { href: l.url, target: '_blank', rel: 'noopener noreferrer' }, l.label || l.url)),
      );
  }
  return parts;
}

export async function render(view, ctx) {
  const requested = ctx.query.get('c') ?? 'dashboard';
  const conversation = NAME.test(requested) ? requested : 'dashboard';
  const blobUrls = [];
  const byId = new Map();

  const log = h('div', {
    class: 'chat-log',
    id: 'chat-log',
    role: 'log',
    'aria-live': 'polite',
    'aria-label': 'Conversation',
  });
  const typing = h('div', { class: 'typing', 'aria-live': 'polite' });
  const input = h('textarea', {
    id: 'chat-input',
    rows: '2',
    placeholder: 'Message, or a command such as /sh ls or /help',
    'aria-label': 'Message',
  });
  const files = h('input', { type: 'file', id: 'chat-file', multiple: true, 'aria-label': 'Attach files' });
  const send = h('button', { type: 'submit', class: 'primary', id: 'chat-send' }, 'Send');
  const convInput = h('input', {
    type: 'text',
    id: 'chat-conversation',
    value: conversation,
    'aria-label': 'Conversation name',
    pattern: '[A-Za-z0-9_.\\-]{1,64}',
  });

  const empty = h(
    'p',
    { class: 'muted', id: 'chat-empty' },
    'Nothing here yet. Try ',
    code('/help'),
    ', ',
    code('/sh echo hi'),
    ' or ask a question. Attach a CSV and ask for a chart.',
  );
  log.append(empty);

  const scroll = () => {
    log.scrollTop = log.scrollHeight;
  };
  const addMessage = (el) => {
    empty.remove();
    log.append(el);
    scroll();
  };

  let typingTimer;
  const onEvent = (stamped) => {
    const ev = stamped.event;
    if (ev.type === 'typing') {
      typing.textContent = 'The agent is working…';
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => (typing.textContent = ''), 6000);
      return;
    }
    if (ev.type === 'edit') {
      const el = byId.get(ev.messageId);
      if (el) {
        el.replaceChildren(...messageBody({ text: ev.text }, blobUrls));
        el.classList.toggle('status', ev.text.startsWith('⏳'));
        scroll();
      }
      return;
    }
    if (ev.type === 'message') {
      typing.textContent = '';
      const el = h(
        'div',
        { class: `msg${ev.text?.startsWith('⏳') ? ' status' : ''}`, 'data-message': ev.messageId },
        messageBody(ev, blobUrls),
      );
      byId.set(ev.messageId, el);
      addMessage(el);
    }
  };

  const source = new EventSource(
    `/dashboard/api/chat/events?conversation=${encodeURIComponent(conversation)}`,
  );
  source.addEventListener('chat', (e) => {
    try {
      onEvent(JSON.parse(e.data));
    } catch {
      /* a malformed event is skipped */
    }
  });
  const lost = () => window.dispatchEvent(new CustomEvent('sandgate:device-state'));
  source.addEventListener('end', () => {
    source.close();
    lost();
  });
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) lost();
  };

  const submit = async () => {
    const text = input.value;
    const chosen = [...files.files];
    if (!text.trim() && chosen.length === 0) return;
    const form = new FormData();
    form.set('text', text);
    form.set('conversation', conversation);
    form.set('clientId', crypto.randomUUID());
    for (const f of chosen) form.append('file', f, f.name);
    send.disabled = true;
    try {
      await api.post('/chat', form);
      addMessage(
        h(
          'div',
          { class: 'msg mine' },
          text ? h('div', { class: 'text' }, text) : null,
          chosen.length
            ? h('div', { class: 'attachments' }, 'Attached: ', chosen.map((f) => f.name).join(', '))
            : null,
        ),
      );
      input.value = '';
      files.value = '';
      typing.textContent = 'Sent; waiting for the agent…';
    } catch (err) {
      toast(err.message, 'bad');
    } finally {
      send.disabled = false;
      input.focus();
    }
  };

  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void submit();
    }
  });

  add(
    view,
    h(
      'div',
      { class: 'form-row' },
      h('div', { class: 'field' }, h('h1', {}, 'Chat')),
      h(
        'form',
        {
          class: 'form-row',
          onsubmit: (e) => {
            e.preventDefault();
            if (NAME.test(convInput.value)) location.hash = `#/chat?c=${encodeURIComponent(convInput.value)}`;
            else toast('Use 1-64 letters, digits, _ . or - for the conversation name.', 'bad');
          },
        },
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'chat-conversation', class: 'small' }, 'Conversation'),
          convInput,
        ),
        h('div', {}, h('button', { type: 'submit' }, 'Open')),
      ),
    ),
    h(
      'div',
      { class: 'chat' },
      log,
      typing,
      h(
        'form',
        {
          class: 'composer',
          onsubmit: (e) => {
            e.preventDefault();
            void submit();
          },
        },
        input,
        h('label', { class: 'file-label small', for: 'chat-file' }, 'Attach ', files),
        send,
      ),
    ),
  );
  input.focus();

  return () => {
    source.close();
    clearTimeout(typingTimer);
    for (const u of blobUrls) URL.revokeObjectURL(u);
  };
}
