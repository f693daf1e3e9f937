// The chat view: asking through the hub, streaming answers, citation markers, stop, copy, feedback, and showing a
// conversation reopened from the history.
import { t, language } from './i18n.js';
import { element, translated, button, setStatus, setDirection, directionOf } from './dom.js';
import { identity } from './api.js';
import { ensureConnected, resetConnection, describeError, isUnauthorized } from './connection.js';
import { renderMarkdown, citedInOrder } from './markdown.js';
import { renderSourcesList, openSource, closeSources, displayNumber } from './sources.js';
import { refreshServiceState, modelAnswers } from './service-state.js';
import { feedbackControls } from './feedback.js';

const el = {
  form: document.getElementById('ask-form'),
  question: document.getElementById('question'),
  send: document.getElementById('send'),
  stop: document.getElementById('stop'),
  messages: document.getElementById('messages'),
  intro: document.getElementById('intro'),
};

const chat = {
  conversationId: null,
  // Answers recorded in this conversation so far: the next one's index for feedback.
  recordedTurns: 0,
  current: null,
  changeListeners: [],
};

/** The conversation on screen (null before the first answer). */
export function conversationId() {
  return chat.conversationId;
}

/** Runs listener after an answer was recorded (the history view refreshes). */
export function onConversationChanged(listener) {
  chat.changeListeners.push(listener);
}

function newTurn(data) {
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

function addUserMessage(question) {
  const item = element('li', 'message message-user');
  item.append(translated('p', 'message-author', 'you'));
  const body = element('div', 'message-text', question);
  body.dir = 'auto';
  item.append(body);
  el.messages.append(item);
  el.intro.hidden = true;
}

function addAssistantMessage(turn) {
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

function renderAnswer(turn) {
  turn.renderPending = false;
  if (numberSources(turn) && turn.passages.size > 0) {
    renderSourcesList(turn);
  }
  renderMarkdown(turn.view.answer, turn.answerText, (number) => markerButton(turn, number));
}

function scheduleRender(turn) {
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

function showUnsupported(turn) {
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

function showNotice(turn, text, kind) {
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

function setStreaming(streaming) {
  const stopHadFocus = document.activeElement === el.stop;
  el.send.hidden = streaming;
  el.stop.hidden = !streaming;
  el.form.setAttribute('aria-busy', streaming ? 'true' : 'false');
  if (!streaming && stopHadFocus) {
    el.question.focus();
  }
}

function scrollToLatest(node) {
  if (typeof node.scrollIntoView === 'function') {
    node.scrollIntoView({ block: 'nearest' });
  }
}

export async function ask(question) {
  if (chat.current) {
    return;
  }
  addUserMessage(question);
  const turn = newTurn({ question });
  addAssistantMessage(turn);
  chat.current = turn;
  setStreaming(true);
  setStatus(t('thinking'));
  scrollToLatest(turn.view.item);

  let connection;
  try {
    connection = await ensureConnected();
  } catch (error) {
    if (isUnauthorized(error)) {
      await resetConnection();
    }
    fail(turn, describeError(error));
    return;
  }
  if (turn.finished) {
    return; // Stopped while connecting.
  }

  const request = { question, language: language(), identity: identity() };
  if (chat.conversationId) {
    request.conversationId = chat.conversationId;
  }
  try {
    turn.subscription = connection.stream('Ask', request).subscribe({
      next: (event) => onEvent(turn, event),
      error: (error) => fail(turn, describeError(error)),
      complete: () => finish(turn, 'done'),
    });
  } catch (error) {
    fail(turn, describeError(error));
  }
}

function onEvent(turn, event) {
  if (turn.finished || !event || typeof event !== 'object') {
    return;
  }
  switch (event.type) {
    case 'sources': {
      turn.passagesKnown = true;
      for (const passage of Array.isArray(event.passages) ? event.passages : []) {
        if (passage && Number.isFinite(Number(passage.number))) {
          turn.passages.set(Number(passage.number), passage);
        }
      }
      renderSourcesList(turn);
      setStatus(t('writing'));
      break;
    }
    case 'delta': {
      if (typeof event.text === 'string' && event.text) {
        turn.answerText += event.text;
        turn.view.progress.hidden = true;
        turn.view.item.classList.add('has-text');
        scheduleRender(turn);
      }
      break;
    }
    case 'citations': {
      for (const citation of Array.isArray(event.citations) ? event.citations : []) {
        if (citation && Number.isFinite(Number(citation.marker))) {
          turn.citations.set(Number(citation.marker), citation);
        }
      }
      turn.unsupportedClaims = Array.isArray(event.unsupportedClaims) ? event.unsupportedClaims : [];
      scheduleRender(turn);
      showUnsupported(turn);
      break;
    }
    case 'done': {
      turn.mode = event.mode || null;
      if (event.conversationId) {
        if (chat.conversationId !== String(event.conversationId)) {
          chat.recordedTurns = 0;
        }
        chat.conversationId = String(event.conversationId);
      }
      turn.index = chat.recordedTurns;
      chat.recordedTurns += 1;
      if (event.language) {
        turn.language = event.language;
        setDirection(turn.view.answer, event.language);
      }
      turn.view.item.dataset.mode = turn.mode || '';
      showModeNotice(turn, typeof event.notice === 'string' ? event.notice.trim() : '');
      for (const listener of chat.changeListeners) {
        listener(chat.conversationId);
      }
      break;
    }
    case 'error': {
      fail(turn, typeof event.message === 'string' && event.message ? event.message : t('genericError'));
      break;
    }
    default:
      break;
  }
}

/**
 * Per-answer notices are for events of this answer. A quoted (extractive) answer because no model runs is a state of
 * the service, told by the badge in the top bar; only when the service says a model answers (it failed on this
 * question) does the answer get its own notice.
 */
async function showModeNotice(turn, notice) {
  if (turn.mode === 'abstained') {
    showNotice(turn, notice || t('noticeAbstained'), 'abstained');
  } else if (turn.mode === 'extractive') {
    await refreshServiceState();
    if (modelAnswers()) {
      showNotice(turn, notice || t('noticeExtractive'), 'extractive');
    }
  } else {
    if (notice) {
      showNotice(turn, notice, 'info');
    }
    // A generated answer: the badge may be out of date.
    refreshServiceState();
  }
}

function finish(turn, outcome) {
  if (turn.finished) {
    return;
  }
  turn.finished = true;
  if (turn.renderPending || outcome !== 'error') {
    renderAnswer(turn);
  }
  const view = turn.view;
  view.progress.hidden = true;
  view.answer.setAttribute('aria-busy', 'false');
  view.item.dataset.state = outcome;
  view.copy.disabled = !turn.answerText;
  if (outcome === 'done' && chat.conversationId && turn.index !== null) {
    view.actions.append(feedbackControls(chat.conversationId, turn.index, turn.feedback));
  }
  if (chat.current === turn) {
    chat.current = null;
    setStreaming(false);
  }
  if (outcome === 'done') {
    setStatus(t('answerReady'));
  }
}

function fail(turn, message) {
  if (turn.finished) {
    return;
  }
  if (turn.subscription) {
    try {
      turn.subscription.dispose();
    } catch {
      // The stream already ended.
    }
  }
  const alert = element('p', 'error', message);
  alert.dir = 'auto';
  alert.setAttribute('role', 'alert');
  turn.view.item.insertBefore(alert, turn.view.notice);
  finish(turn, 'error');
  setStatus('');
}

export function stop() {
  const turn = chat.current;
  if (!turn) {
    return false;
  }
  if (turn.subscription) {
    // Disposing the subscription sends CancelInvocation; the server cancels the answer.
    turn.subscription.dispose();
  }
  turn.view.item.insertBefore(translated('p', 'stopped-note', 'stoppedNote'), turn.view.notice);
  finish(turn, 'stopped');
  setStatus(t('stopped'));
  el.question.focus();
  return true;
}

async function copyAnswer(turn) {
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

function clear() {
  if (chat.current) {
    stop();
  }
  chat.conversationId = null;
  chat.recordedTurns = 0;
  el.messages.replaceChildren();
  el.intro.hidden = false;
  closeSources(false);
}

export function newConversation() {
  clear();
  el.question.value = '';
  setStatus(t('newConversationStarted'));
  el.question.focus();
}

/** Shows a conversation from the history with its answers, citations and sources; the next question continues it. */
export function showConversation(conversation) {
  clear();
  for (const [index, stored] of (conversation.turns || []).entries()) {
    addUserMessage(stored.question || '');
    const turn = newTurn({ ...stored, index });
    addAssistantMessage(turn);
    if (turn.language) {
      setDirection(turn.view.answer, turn.language);
    }
    turn.view.item.dataset.mode = turn.mode || '';
    renderSourcesList(turn);
    showUnsupported(turn);
    if (turn.mode === 'abstained') {
      showNotice(turn, stored.notice || t('noticeAbstained'), 'abstained');
    }
    finish(turn, 'done');
  }
  chat.conversationId = conversation.id;
  chat.recordedTurns = (conversation.turns || []).length;
  el.messages.querySelectorAll('li.message-assistant').forEach((item, index) => {
    const stored = conversation.turns[index];
    const actions = item.querySelector('.message-actions');
    if (actions && !actions.querySelector('.feedback')) {
      actions.append(feedbackControls(conversation.id, index, stored.feedback || null));
    }
  });
}

function onSubmit(event) {
  event.preventDefault();
  if (chat.current) {
    return;
  }
  const question = el.question.value.trim();
  if (!question) {
    setStatus(t('emptyQuestion'));
    el.question.focus();
    return;
  }
  el.question.value = '';
  el.question.focus();
  ask(question);
}

export function isStreaming() {
  return Boolean(chat.current);
}

export function initChat() {
  el.form.addEventListener('submit', onSubmit);
  el.question.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (typeof el.form.requestSubmit === 'function') {
        el.form.requestSubmit();
      } else {
        el.form.dispatchEvent(new Event('submit', { cancelable: true }));
      }
    }
  });
  el.stop.addEventListener('click', stop);
}
