// Thumbs up or down on an answer, with an optional comment, stored with the conversation on the server.
import { t } from './i18n.js';
import { element, translated, button } from './dom.js';
import { request } from './api.js';

const MAX_COMMENT = 2000;

/** The feedback controls of answer number index in a conversation; existing is the stored feedback, if any. */
export function feedbackControls(conversationId, index, existing) {
  const box = element('div', 'feedback');
  box.dataset.index = String(index);
  const group = element('div', 'feedback-buttons');
  group.setAttribute('role', 'group');
  group.dataset.i18nAriaLabel = 'feedbackPrompt';
  group.setAttribute('aria-label', t('feedbackPrompt'));
  const up = button('btn btn-ghost btn-small feedback-up', 'feedbackUp');
  const down = button('btn btn-ghost btn-small feedback-down', 'feedbackDown');
  up.prepend(element('span', 'thumb', '👍'), ' ');
  down.prepend(element('span', 'thumb', '👎'), ' ');
  // The label span keeps its translation when the language changes; the emoji stays.
  for (const node of [up, down]) {
    const key = node.dataset.i18n;
    delete node.dataset.i18n;
    const label = translated('span', 'label', key);
    node.replaceChildren(node.querySelector('.thumb'), ' ', label);
  }
  group.append(up, down);

  const form = element('form', 'feedback-form');
  form.hidden = true;
  form.noValidate = true;
  const label = translated('label', 'feedback-label', 'feedbackComment');
  const comment = element('textarea', 'feedback-comment');
  comment.rows = 2;
  comment.maxLength = MAX_COMMENT;
  comment.dir = 'auto';
  comment.id = `feedback-${conversationId}-${index}`;
  label.htmlFor = comment.id;
  const send = translated('button', 'btn btn-ghost btn-small feedback-send', 'feedbackSend');
  send.type = 'submit';
  const result = element('p', 'feedback-result');
  result.setAttribute('role', 'status');
  form.append(label, comment, send);
  box.append(group, form, result);

  let rating = existing && existing.rating ? existing.rating : null;
  if (existing && existing.comment) {
    comment.value = existing.comment;
  }
  const show = () => {
    up.setAttribute('aria-pressed', rating === 'up' ? 'true' : 'false');
    down.setAttribute('aria-pressed', rating === 'down' ? 'true' : 'false');
  };
  show();

  const save = async () => {
    try {
      await request(`api/history/${encodeURIComponent(conversationId)}/turns/${index}/feedback`, {
        method: 'PUT',
        identity: true,
        body: { rating, comment: comment.value.trim() || null },
      });
      result.replaceChildren(translated('span', '', 'feedbackSaved'));
      box.dataset.saved = rating;
    } catch (error) {
      result.textContent = error && error.message ? error.message : t('feedbackFailed');
    }
  };
  const choose = (value) => {
    rating = value;
    show();
    form.hidden = false;
    save();
  };
  up.addEventListener('click', () => choose('up'));
  down.addEventListener('click', () => choose('down'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (rating) {
      save();
    }
  });
  return box;
}
