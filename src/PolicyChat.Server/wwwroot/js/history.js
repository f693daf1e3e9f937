// The History view: this browser's earlier conversations (newest first), reopened, renamed, deleted or exported as
// Markdown. They are stored on the server under this browser's identity (api.js).
import { t, tNodes, formatMoment, formatNumber } from './i18n.js';
import { element, translated, button, setStatus } from './dom.js';
import { request } from './api.js';

const el = {
  view: document.getElementById('view-history'),
  list: document.getElementById('history-list'),
  message: document.getElementById('history-message'),
};

let open = () => {};
let loading = null;

export function refreshHistory() {
  if (!loading) {
    loading = (async () => {
      if (!el.list.childElementCount) {
        el.message.replaceChildren(translated('p', 'loading', 'historyLoading'));
      }
      try {
        const body = await request('api/history', { identity: true });
        render(Array.isArray(body && body.conversations) ? body.conversations : []);
      } catch (error) {
        el.message.replaceChildren(element('p', 'error', error.message || t('historyFailed')));
      } finally {
        loading = null;
      }
    })();
  }
  return loading;
}

function render(conversations) {
  el.list.replaceChildren();
  el.message.replaceChildren();
  if (conversations.length === 0) {
    el.message.append(translated('p', 'empty', 'historyEmpty'));
  }
  for (const conversation of conversations) {
    el.list.append(item(conversation));
  }
}

function item(conversation) {
  const li = element('li', 'history-item');
  li.dataset.id = conversation.id;
  const title = element('button', 'link history-open', conversation.title || conversation.id);
  title.type = 'button';
  title.dir = 'auto';
  title.addEventListener('click', () => reopen(conversation.id));
  const meta = element('p', 'history-meta');
  meta.append(element('bdi', '', formatMoment(conversation.updatedAt)), ' · ',
    ...tNodes('historyTurns', { count: formatNumber(conversation.turns) }));
  const actions = element('div', 'history-actions');
  actions.append(
    button('btn btn-ghost btn-small history-rename', 'historyRename', () => rename(li, conversation)),
    button('btn btn-ghost btn-small history-export', 'historyExport', () => exportMarkdown(conversation)),
    button('btn btn-danger btn-small history-delete', 'historyDelete', () => confirmDelete(actions, conversation)),
  );
  li.append(title, meta, actions);
  return li;
}

async function reopen(id) {
  try {
    const conversation = await request(`api/history/${encodeURIComponent(id)}`, { identity: true });
    open(conversation);
    setStatus(t('historyReopened'));
  } catch (error) {
    setStatus(error.message);
  }
}

function rename(li, conversation) {
  const form = element('form', 'history-rename-form');
  form.noValidate = true;
  const label = translated('label', '', 'historyRenamePrompt');
  const input = element('input', 'history-title-input');
  input.type = 'text';
  input.maxLength = 200;
  input.dir = 'auto';
  input.value = conversation.title || '';
  input.id = `rename-${conversation.id}`;
  label.htmlFor = input.id;
  const save = translated('button', 'btn btn-primary btn-small', 'historyRename');
  save.type = 'submit';
  const cancel = button('btn btn-ghost btn-small', 'close', () => refreshHistory());
  form.append(label, input, save, cancel);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await request(`api/history/${encodeURIComponent(conversation.id)}`, { method: 'PATCH', identity: true, body: { title: input.value.trim() } });
      setStatus(t('historyRenamed'));
      await refreshHistory();
    } catch (error) {
      form.append(element('p', 'error', error.message));
    }
  });
  li.append(form);
  input.focus();
}

function confirmDelete(container, conversation) {
  const previous = [...container.childNodes];
  const box = element('div', 'confirm');
  box.setAttribute('role', 'alertdialog');
  const question = element('p', 'confirm-question');
  question.append(...tNodes('historyDeleteConfirm', { title: conversation.title || conversation.id }));
  const yes = button('btn btn-danger btn-small confirm-yes', 'historyDelete', async () => {
    try {
      await request(`api/history/${encodeURIComponent(conversation.id)}`, { method: 'DELETE', identity: true });
      setStatus(t('historyDeleted'));
      await refreshHistory();
    } catch (error) {
      box.append(element('p', 'error', error.message));
    }
  });
  const no = button('btn btn-ghost btn-small confirm-no', 'close', () => container.replaceChildren(...previous));
  box.append(question, yes, no);
  container.replaceChildren(box);
  yes.focus();
}

async function exportMarkdown(conversation) {
  try {
    const response = await request(`api/history/${encodeURIComponent(conversation.id)}/export`, { identity: true, accept: 'text/markdown', raw: true });
    const blob = await response.blob();
    const link = element('a');
    link.href = URL.createObjectURL(blob);
    link.download = `conversation-${conversation.id}.md`;
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  } catch (error) {
    setStatus(error.message);
  }
}

export function initHistory(openConversation) {
  open = openConversation;
}

export function showHistory() {
  return refreshHistory();
}

export function historyVisible() {
  return !el.view.hidden;
}
