// The chat view: asking through the hub, streaming answers, citation markers, stop, copy, feedback, and showing a
// conversation reopened from the history.
import { t, language } from './i18n.js';
import { element, translated, setStatus, setDirection } from './dom.js';
import { identity } from './api.js';
import { ensureConnected, resetConnection, describeError, isUnauthorized } from './connection.js';
import { renderSourcesList, closeSources } from './sources.js';
import {
  newTurn, addUserMessage, addAssistantMessage, renderAnswer, scheduleRender, showUnsupported, showNotice, showModeNote, scrollToLatest,
} from './messages.js';
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

function setStreaming(streaming) {
  const stopHadFocus = document.activeElement === el.stop;
  el.send.hidden = streaming;
  el.stop.hidden = !streaming;
  el.form.setAttribute('aria-busy', streaming ? 'true' : 'false');
  if (!streaming && stopHadFocus) {
    el.question.focus();
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
  // Other modes (e.g. issue 12's "partial") put their short note under the answer with showModeNote(turn, text).
  if (turn.mode === 'abstained') {
    showNotice(turn, notice || t('noticeAbstained'), 'abstained');
  } else if (turn.mode === 'partial') {
    // Issue 12: the documents do not answer directly; the closest passages are the sources.
    showNotice(turn, notice || t('noticePartial'), 'partial');
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
    if (turn.mode === 'abstained' || turn.mode === 'partial') {
      showNotice(turn, stored.notice || t(turn.mode === 'partial' ? 'noticePartial' : 'noticeAbstained'), turn.mode);
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

export { showModeNote };
