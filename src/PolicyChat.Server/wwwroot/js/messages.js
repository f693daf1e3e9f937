// Messages of the chat view: a question, and an answer with its markdown, citation chips (numbered in the order the
// answer cites them), notices, unsupported statements, sources list and actions. Used for live and reopened answers.
import { t } from './i18n.js';
import { element, translated, button, setStatus, setDirection, directionOf } from './dom.js';
import { renderMarkdown, citedInOrder } from './markdown.js';
import { renderSourcesList, openSource, displayNumber } from './sources.js';

const el = {
  messages: document.getElementById('messages'),
  intro: document.getElementById('intro'),
};

export function newTurn(data) {
  return {
    question: data.question || '',
    answerText: data.answer || '',
    passages: new Map((data.passages || []).filter((p) => p && Number.isFinite(Number(p.number))).map((p) => [Number(p.number), p])),
    passagesKnown: Boolean(data.passages),
    citations: new Map((data.citations || []).filter((c) => c && Number.isFinite(Number(c.marker))).map((c) => [Number(c.marker), c])),
    unsupportedClaims: data.unsupportedClaims || [],
    mode: data.mode || null,
    language: data.language || null,
    index: Number.isInteger(data.index) ? data.index : null,
    feedback: data.feedback || null,
    display: new Map(),
    finished: false,
    subscription: null,
    renderPending: false,
    view: null,
  };
}

export function addUserMessage(question) {
  const item = element('li', 'message message-user');
  item.append(translated('p', 'message-author', 'you'));
  const body = element('div', 'message-text', question);
  body.dir = 'auto';
  item.append(body);
  el.messages.append(item);
  el.intro.hidden = true;
}

export function addAssistantMessage(turn) {
  const item = element('li', 'message message-assistant');
  item.dataset.state = 'streaming';
  item.append(translated('p', 'message-author', 'assistant'));

  // The answer is written in the question's language: its direction comes from that, not from its first letters.
  const answer = element('div', 'answer markdown');
  answer.dir = directionOf(turn.question);
  answer.setAttribute('aria-live', 'polite');
  answer.setAttribute('aria-busy', 'true');

  const progress = translated('p', 'progress', 'thinking');
  progress.setAttribute('aria-hidden', 'true');

  const notice = element('p', 'notice');
  notice.dir = 'auto';
  notice.setAttribute('role', 'note');
  notice.hidden = true;

  // A short note about the answer's mode (issue 12's "partial" answers are shown here by showModeNote).
  const modeNote = element('p', 'mode-note');
  modeNote.hidden = true;

  const unsupported = element('div', 'unsupported');
  unsupported.hidden = true;

  const sources = element('details', 'sources-list');
  sources.hidden = true;
  const sourcesSummary = element('summary');
  const sourcesItems = element('ol');
  sources.append(sourcesSummary, sourcesItems);

  const actions = element('div', 'message-actions');
  const copy = button('btn btn-ghost btn-small copy', 'copy', () => copyAnswer(turn));
  copy.disabled = true;
  actions.append(copy);

  item.append(progress, answer, modeNote, notice, unsupported, sources, actions);
  el.messages.append(item);
  turn.view = { item, answer, progress, notice, modeNote, unsupported, sources, sourcesSummary, sourcesItems, copy, actions };
}

function markerButton(turn, number) {
  const shown = displayNumber(turn, number);
  const marker = element('button', 'cite', String(shown));
  marker.type = 'button';
  marker.dataset.marker = String(number);
  marker.dataset.n = String(shown);
  marker.dataset.i18nAriaLabel = 'citationLabel';
  marker.setAttribute('aria-label', t('citationLabel', { n: shown }));
  marker.setAttribute('aria-controls', 'sources-panel');
  marker.setAttribute('aria-expanded', 'false');
  const citation = turn.citations.get(number);
  if (citation && citation.support !== undefined && citation.support !== null) {
    marker.dataset.support = String(citation.support);
  }
  if (!turn.passages.has(number) && !citation && turn.passagesKnown) {
    marker.classList.add('cite-missing');
  }
  marker.addEventListener('click', () => openSource(turn, number, marker));
  return marker;
}

// Sources are numbered for the reader in the order the answer cites them (1, 2, 3 as they are met), then the
// uncited ones; data-marker keeps the server's passage number.
function numberSources(turn) {
  const order = citedInOrder(turn.answerText).filter((n) => turn.passages.has(n) || turn.citations.has(n));
  for (const number of [...turn.passages.keys()].sort((a, b) => a - b)) {
    if (!order.includes(number)) {
      order.push(number);
    }
  }
  const changed = order.some((number, i) => turn.display.get(number) !== i + 1);
  turn.display = new Map(order.map((number, i) => [number, i + 1]));
  return changed;
}

export function renderAnswer(turn) {
  turn.renderPending = false;
  if (numberSources(turn) && turn.passages.size > 0) {
    renderSourcesList(turn);
  }
  renderMarkdown(turn.view.answer, turn.answerText, (number) => markerButton(turn, number));
}

export function scheduleRender(turn) {
  if (turn.renderPending) {
    return;
  }
  turn.renderPending = true;
  window.requestAnimationFrame(() => {
    if (turn.renderPending) {
      renderAnswer(turn);
    }
  });
}

export function showUnsupported(turn) {
  const view = turn.view;
  view.unsupported.replaceChildren();
  const claims = (turn.unsupportedClaims || []).filter((c) => typeof c === 'string' && c.trim());
  if (claims.length === 0) {
    view.unsupported.hidden = true;
    return;
  }
  view.unsupported.append(translated('p', 'unsupported-title', 'unsupportedTitle'));
  const list = element('ul');
  for (const claim of claims) {
    const li = element('li', '', claim);
    li.dir = 'auto';
    list.append(li);
  }
  view.unsupported.append(list);
  view.unsupported.hidden = false;
}

export function showNotice(turn, text, kind) {
  const view = turn.view;
  view.notice.textContent = text;
  view.notice.className = `notice notice-${kind}`;
  setDirection(view.notice, turn.language);
  view.notice.hidden = !text;
}

/** The place for a note about the answer's mode (e.g. a partial answer); empty for the modes shown elsewhere. */
export function showModeNote(turn, text) {
  turn.view.modeNote.textContent = text || '';
  turn.view.modeNote.hidden = !text;
}

export function scrollToLatest(node) {
  if (typeof node.scrollIntoView === 'function') {
    node.scrollIntoView({ block: 'nearest' });
  }
}

export async function copyAnswer(turn) {
  const text = turn.answerText;
  if (!text) {
    return;
  }
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
    } else {
      const area = element('textarea', 'visually-hidden');
      area.value = text;
      area.setAttribute('readonly', '');
      document.body.append(area);
      area.select();
      const ok = document.execCommand('copy');
      area.remove();
      if (!ok) {
        throw new Error('copy failed');
      }
    }
    setStatus(t('copied'));
  } catch {
    setStatus(t('copyFailed'));
  }
}
