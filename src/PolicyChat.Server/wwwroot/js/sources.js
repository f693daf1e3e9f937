// Sources: the list under an answer and the side panel with the quoted passage and the whole document.
import { t, languageName, formatDate } from './i18n.js';
import { element, translated, setDirection } from './dom.js';
import { request } from './api.js';

const DOCUMENT_CONTEXT_CHARS = 400;
const FIRST_WORDS = 12;

const el = {
  html: document.documentElement,
  panel: document.getElementById('sources-panel'),
  heading: document.getElementById('sources-heading'),
  body: document.getElementById('source-body'),
  close: document.getElementById('close-sources'),
  question: document.getElementById('question'),
};

const documents = new Map();
let panelTrigger = null;

/** Cached document texts may be stale after documents change. */
export function forgetDocuments() {
  documents.clear();
}

/** The first words of a passage, to tell apart several passages of one document. */
export function firstWords(text) {
  const words = String(text || '').replace(/\s+/g, ' ').trim().split(' ');
  return words.length > FIRST_WORDS ? `${words.slice(0, FIRST_WORDS).join(' ')}…` : words.join(' ');
}

/** The number the reader sees for passage number (the order of citation in the answer); the number itself if unknown. */
export function displayNumber(turn, number) {
  return (turn.display && turn.display.get(number)) || number;
}

/**
 * The list under an answer, in the reader's numbering. Each entry shows the title, then the passage's first words, and when a
 * document gives several passages, which excerpt of it (in document order) this one is.
 */
export function renderSourcesList(turn) {
  const view = turn.view;
  view.sourcesItems.replaceChildren();
  const numbers = [...turn.passages.keys()].sort((a, b) => displayNumber(turn, a) - displayNumber(turn, b));
  if (numbers.length === 0) {
    view.sources.hidden = true;
    return;
  }
  const byDocument = new Map();
  for (const number of numbers) {
    const passage = turn.passages.get(number);
    const key = passage.documentId || passage.title || String(number);
    if (!byDocument.has(key)) {
      byDocument.set(key, []);
    }
    byDocument.get(key).push(passage);
  }
  for (const list of byDocument.values()) {
    list.sort((a, b) => (Number(a.start) || 0) - (Number(b.start) || 0));
  }
  view.sourcesSummary.replaceChildren(element('span', '', t('sourcesList')), element('span', 'count', ` (${numbers.length})`));
  for (const number of numbers) {
    const passage = turn.passages.get(number);
    const li = element('li');
    const link = element('button', 'source-link');
    link.type = 'button';
    link.dataset.number = String(number);
    link.setAttribute('aria-controls', 'sources-panel');
    link.setAttribute('aria-expanded', 'false');
    const title = setDirection(element('span', 'source-title', passage.title || passage.documentId || ''), passage.language);
    const head = element('span', 'source-head');
    head.append(element('span', 'source-number', `[${displayNumber(turn, number)}]`), ' ', title);
    link.append(head);

    const detail = element('span', 'source-detail');
    const siblings = byDocument.get(passage.documentId || passage.title || String(number));
    if (siblings.length > 1) {
      const position = siblings.indexOf(passage) + 1;
      const excerpt = translated('span', 'source-position', 'excerptOf');
      excerpt.dataset.n = String(position);
      excerpt.dataset.count = String(siblings.length);
      excerpt.textContent = t('excerptOf', { n: position, count: siblings.length });
      detail.append(excerpt, ' ');
    }
    if (passage.text) {
      detail.append(setDirection(element('q', 'source-words', firstWords(passage.text)), passage.language));
    }
    link.append(detail);

    // The outlet is the document's text, the date the interface's: each keeps its own direction.
    const parts = [passage.outlet ? element('bdi', '', passage.outlet) : null, passage.date ? element('bdi', '', formatDate(passage.date)) : null,
      passage.page ? element('bdi', '', t('pageLabel', { n: passage.page })) : null]
      .filter(Boolean);
    if (parts.length > 0) {
      const meta = element('span', 'source-meta');
      parts.forEach((part, i) => meta.append(...(i ? [' · ', part] : [part])));
      link.append(meta);
    }
    link.addEventListener('click', () => openSource(turn, number, link));
    li.append(link);
    view.sourcesItems.append(li);
  }
  view.sources.hidden = false;
}

function isOffset(value) {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function sameText(a, b) {
  const squash = (s) => String(s).replace(/\s+/g, ' ').trim();
  return squash(a) === squash(b);
}

// Where the citation's quote lies in the passage text: from the offsets (document offsets minus passage.start)
// when they agree with the quote, else by searching for the quote. Null when neither works.
function quoteRangeInPassage(passage, citation) {
  if (!passage || !citation || typeof passage.text !== 'string') {
    return null;
  }
  const text = passage.text;
  const sameDocument = !citation.documentId || !passage.documentId || citation.documentId === passage.documentId;
  if (sameDocument && isOffset(citation.start) && isOffset(citation.end) && isOffset(passage.start)) {
    const start = citation.start - passage.start;
    const end = citation.end - passage.start;
    if (start >= 0 && end <= text.length && end > start && (!citation.quote || sameText(text.slice(start, end), citation.quote))) {
      return [start, end];
    }
  }
  return findQuote(text, citation.quote);
}

function findQuote(text, quote) {
  if (typeof quote !== 'string' || !quote.trim()) {
    return null;
  }
  const exact = text.indexOf(quote);
  if (exact >= 0) {
    return [exact, exact + quote.length];
  }
  const trimmed = quote.trim();
  const index = text.indexOf(trimmed);
  return index >= 0 ? [index, index + trimmed.length] : null;
}

function appendHighlighted(container, text, range) {
  if (!range) {
    container.append(text);
    return null;
  }
  const mark = element('mark', 'quote', text.slice(range[0], range[1]));
  container.append(text.slice(0, range[0]), mark, text.slice(range[1]));
  return mark;
}

function metaList(entries) {
  const list = element('dl', 'source-meta-list');
  for (const [key, value, language] of entries) {
    if (!value) {
      continue;
    }
    list.append(translated('dt', '', key));
    list.append(setDirection(element('dd', '', value), language));
  }
  return list;
}

export function openSource(turn, number, trigger) {
  const passage = turn.passages.get(number) || null;
  const citation = turn.citations.get(number) || null;
  const info = passage || citation;
  const body = el.body;
  body.replaceChildren();
  el.panel.dataset.marker = String(number);

  if (!info) {
    body.append(translated('p', 'panel-empty', 'noPassage'));
  } else {
    const title = setDirection(element('h3', 'source-title', info.title || info.documentId || ''), info.language);
    body.append(element('p', 'source-number', `[${displayNumber(turn, number)}]`), title);
    body.append(metaList([
      ['outlet', info.outlet, info.language],
      ['date', formatDate(info.date)],
      ['language', languageName(info.language)],
    ]));

    const range = quoteRangeInPassage(passage, citation);
    if (passage && typeof passage.text === 'string') {
      const label = translated('p', 'passage-label', range ? 'quoteLabel' : 'passageLabel');
      const block = setDirection(element('blockquote', 'passage'), passage.language);
      appendHighlighted(block, passage.text, range);
      body.append(label, block);
    } else if (citation && citation.quote) {
      const block = setDirection(element('blockquote', 'passage'), citation.language);
      block.append(element('mark', 'quote', citation.quote));
      body.append(translated('p', 'passage-label', 'quoteLabel'), block);
    }

    const documentId = info.documentId;
    if (documentId) {
      const documentArea = element('div', 'document-area');
      if (citation && !range && isOffset(citation.start) && isOffset(citation.end)) {
        // The passage does not hold the quote (or there is no passage): show it in the document's own text.
        showDocumentExcerpt(documentArea, documentId, citation);
      }
      const showAll = translated('button', 'btn btn-ghost btn-small show-document', 'showDocument');
      showAll.type = 'button';
      showAll.addEventListener('click', () => {
        showAll.remove();
        showWholeDocument(documentArea, documentId, citation, info.language);
      });
      body.append(documentArea, showAll);
    }
  }

  setExpanded(panelTrigger, false);
  panelTrigger = trigger || null;
  setExpanded(panelTrigger, true);
  el.panel.hidden = false;
  el.html.classList.add('panel-open');
  el.heading.focus();
}

function setExpanded(trigger, expanded) {
  if (trigger && trigger.hasAttribute('aria-expanded')) {
    trigger.setAttribute('aria-expanded', expanded ? 'true' : 'false');
  }
}

export function isPanelOpen() {
  return !el.panel.hidden;
}

export function closeSources(restoreFocus) {
  if (el.panel.hidden) {
    return;
  }
  el.panel.hidden = true;
  el.html.classList.remove('panel-open');
  const trigger = panelTrigger;
  panelTrigger = null;
  setExpanded(trigger, false);
  if (restoreFocus !== false) {
    if (trigger && trigger.isConnected) {
      trigger.focus();
    } else {
      el.question.focus();
    }
  }
}

/** A document's text and metadata from /api/documents/{id}, cached until documents change. */
export function loadDocument(documentId) {
  if (documents.has(documentId)) {
    return documents.get(documentId);
  }
  const promise = request(`api/documents/${encodeURIComponent(documentId)}`).then((doc) => {
    if (!doc || typeof doc.text !== 'string') {
      throw new Error('no text');
    }
    return doc;
  });
  documents.set(documentId, promise);
  promise.catch(() => documents.delete(documentId));
  return promise;
}

function documentRange(text, citation) {
  if (!citation) {
    return null;
  }
  if (isOffset(citation.start) && isOffset(citation.end) && citation.end > citation.start && citation.end <= text.length
    && (!citation.quote || sameText(text.slice(citation.start, citation.end), citation.quote))) {
    return [citation.start, citation.end];
  }
  return findQuote(text, citation.quote);
}

async function withDocument(container, documentId, render) {
  container.replaceChildren(translated('p', 'loading', 'loadingDocument'));
  try {
    const doc = await loadDocument(documentId);
    if (!container.isConnected) {
      return;
    }
    container.replaceChildren();
    render(doc);
  } catch {
    if (container.isConnected) {
      container.replaceChildren(translated('p', 'error', 'documentFailed'));
    }
  }
}

function showDocumentExcerpt(container, documentId, citation) {
  return withDocument(container, documentId, (doc) => {
    const range = documentRange(doc.text, citation);
    if (!range) {
      return;
    }
    const from = Math.max(0, range[0] - DOCUMENT_CONTEXT_CHARS);
    const to = Math.min(doc.text.length, range[1] + DOCUMENT_CONTEXT_CHARS);
    const block = setDirection(element('blockquote', 'passage document-excerpt'), doc.language);
    appendHighlighted(block, (from > 0 ? '… ' : '') + doc.text.slice(from, to) + (to < doc.text.length ? ' …' : ''),
      [range[0] - from + (from > 0 ? 2 : 0), range[1] - from + (from > 0 ? 2 : 0)]);
    container.append(translated('p', 'passage-label', 'quoteLabel'), block);
  });
}

function showWholeDocument(container, documentId, citation, language) {
  return withDocument(container, documentId, (doc) => {
    const block = setDirection(element('div', 'document-text'), doc.language || language);
    block.tabIndex = 0;
    const mark = appendHighlighted(block, doc.text, documentRange(doc.text, citation));
    container.append(block);
    if (mark && typeof mark.scrollIntoView === 'function') {
      mark.scrollIntoView({ block: 'center' });
    }
    block.focus({ preventScroll: Boolean(mark) });
  });
}

export function initSources() {
  el.close.addEventListener('click', () => closeSources(true));
}
