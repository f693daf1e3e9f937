// Thumbs up or down on an answer, with an optional comment, stored with the conversation on the server.
import { t } from './i18n.js';
import { element, translated, button } from './dom.js';
import { request } from './api.js';

const MAX_COMMENT = 2000;

const SVG = 'http://www.w3.org/2000/svg';
// A thumb (Material Design icon "thumb_up", Apache-2.0); CSS turns it down for the other button.
const THUMB_PATH = 'M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z';

function thumb() {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'thumb');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', THUMB_PATH);
  svg.append(path);
  return svg;
}

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
  // The label keeps its translation when the language changes; the icon stays.
  for (const node of [up, down]) {
    const key = node.dataset.i18n;
    delete node.dataset.i18n;
    node.replaceChildren(thumb(), translated('span', 'label', key));
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
