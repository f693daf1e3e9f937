// PolicyChat web chat page: streams answers from the SignalR hub at /hubs/chat and shows their cited sources.
// Safety rules: model output goes marked -> DOMPurify.sanitize -> innerHTML; text from documents (passages, quotes,
// titles, outlets) and questions only ever become text nodes (textContent / append(string)), never HTML.
(function () {
  'use strict';

  const { strings, pickDefault, format } = window.PolicyChatI18n;
  const signalR = window.signalR;
  const marked = window.marked;
  const DOMPurify = window.DOMPurify;

  const HUB_PATH = 'hubs/chat';
  const DOCUMENTS_PATH = 'api/documents/';
  const LANGUAGE_KEY = 'policychat.language';
  const API_KEY_KEY = 'policychat.apiKey';
  const DOCUMENT_CONTEXT_CHARS = 400;

  // Only the tags markdown produces; no images, media, forms, frames, styles or event handlers.
  const PURIFY_CONFIG = Object.freeze({
    ALLOWED_TAGS: ['p', 'br', 'strong', 'em', 'b', 'i', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li',
      'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'sup', 'sub', 'span'],
    ALLOWED_ATTR: ['href', 'title', 'start', 'colspan', 'rowspan', 'align', 'dir', 'lang'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
    ALLOW_DATA_ATTR: false,
  });

  // Citation markers as the model writes them: [1], [1, 2], [١], [1،2].
  const MARKER_PATTERN = /\[\s*([0-9\u0660-\u0669\u06F0-\u06F9]{1,3}(?:\s*[,،]\s*[0-9\u0660-\u0669\u06F0-\u06F9]{1,3})*)\s*\]/g;
  const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;

  const el = {
    html: document.documentElement,
    form: document.getElementById('ask-form'),
    question: document.getElementById('question'),
    send: document.getElementById('send'),
    stop: document.getElementById('stop'),
    messages: document.getElementById('messages'),
    intro: document.getElementById('intro'),
    status: document.getElementById('status'),
    newConversation: document.getElementById('new-conversation'),
    languageToggle: document.getElementById('language-toggle'),
    panel: document.getElementById('sources-panel'),
    panelHeading: document.getElementById('sources-heading'),
    panelBody: document.getElementById('source-body'),
    closePanel: document.getElementById('close-sources'),
    apiKey: document.getElementById('api-key'),
    settingsForm: document.getElementById('settings-form'),
  };

  const state = {
    language: 'en',
    connection: null,
    connecting: null,
    conversationId: null,
    current: null,
    panelTrigger: null,
    documents: new Map(),
  };

  // ---------- storage ----------

  function readStorage(key) {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;
    }
  }

  function writeStorage(key, value) {
    try {
      if (value === null || value === '') {
        window.localStorage.removeItem(key);
      } else {
        window.localStorage.setItem(key, value);
      }
    } catch {
      // Storage can be disabled (private mode); the page works without it.
    }
  }

  // ---------- interface language ----------

  function t(key, values) {
    const table = strings[state.language] || strings.en;
    const template = key in table ? table[key] : strings.en[key];
    return values ? format(template, values) : template;
  }

  function applyLanguage(language) {
    state.language = language === 'ar' ? 'ar' : 'en';
    el.html.lang = state.language;
    el.html.dir = state.language === 'ar' ? 'rtl' : 'ltr';
    document.title = t('appTitle');
    for (const node of document.querySelectorAll('[data-i18n]')) {
      node.textContent = t(node.dataset.i18n, node.dataset);
    }
    for (const node of document.querySelectorAll('[data-i18n-placeholder]')) {
      node.placeholder = t(node.dataset.i18nPlaceholder, node.dataset);
    }
    for (const node of document.querySelectorAll('[data-i18n-aria-label]')) {
      node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel, node.dataset));
    }
    // The toggle names the other language in that language.
    const other = state.language === 'ar' ? 'en' : 'ar';
    el.languageToggle.textContent = t('switchLanguage');
    el.languageToggle.lang = other;
    el.languageToggle.dir = other === 'ar' ? 'rtl' : 'ltr';
  }

  function languageName(code) {
    if (!code) {
      return '';
    }
    const names = t('languageNames');
    return (names && names[String(code).toLowerCase()]) || String(code);
  }

  function setLang(node, code) {
    if (typeof code === 'string' && LANGUAGE_TAG.test(code)) {
      node.lang = code;
    }
  }

  function formatDate(value) {
    if (!value) {
      return '';
    }
    const text = String(value);
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
    if (!match) {
      return text;
    }
    const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    try {
      return new Intl.DateTimeFormat(state.language === 'ar' ? 'ar' : 'en', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
    } catch {
      return text;
    }
  }

  function setStatus(message) {
    el.status.textContent = message || '';
  }

  // ---------- connection ----------

  function apiKey() {
    return readStorage(API_KEY_KEY) || '';
  }

  function buildConnection() {
    const key = apiKey();
    const options = key ? { accessTokenFactory: () => apiKey() } : {};
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(new URL(HUB_PATH, document.baseURI).toString(), options)
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    // The server announces added or deleted documents; cached document texts may be stale.
    connection.on('DocumentsChanged', () => state.documents.clear());
    connection.onreconnecting(() => setStatus(t('reconnecting')));
    connection.onreconnected(() => setStatus(t('reconnected')));
    return connection;
  }

  async function ensureConnected() {
    if (!state.connection) {
      state.connection = buildConnection();
    }
    const connection = state.connection;
    if (connection.state === signalR.HubConnectionState.Connected) {
      return connection;
    }
    if (!state.connecting) {
      state.connecting = (async () => {
        try {
          if (connection.state === signalR.HubConnectionState.Disconnected) {
            await connection.start();
          } else {
            // Connecting or reconnecting: wait until it settles.
            await waitForConnected(connection);
          }
          return connection;
        } finally {
          state.connecting = null;
        }
      })();
    }
    return state.connecting;
  }

  function waitForConnected(connection) {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const timer = window.setInterval(() => {
        if (connection.state === signalR.HubConnectionState.Connected) {
          window.clearInterval(timer);
          resolve();
        } else if (connection.state === signalR.HubConnectionState.Disconnected || Date.now() - started > 30000) {
          window.clearInterval(timer);
          reject(new Error('not connected'));
        }
      }, 100);
    });
  }

  async function resetConnection() {
    const old = state.connection;
    state.connection = null;
    state.connecting = null;
    if (old) {
      try {
        await old.stop();
      } catch {
        // Already stopped.
      }
    }
  }

  function describeError(error) {
    const message = error && error.message ? String(error.message) : '';
    if ((error && error.statusCode === 401) || /\b401\b/.test(message)) {
      return t('unauthorized');
    }
    // Only HubException messages are meant for users; the server sends them as "...HubException: text".
    const hub = /HubException:\s*([\s\S]+)$/.exec(message);
    if (hub) {
      return hub[1].trim();
    }
    if (error && (error.name === 'FailedToNegotiateWithServerError' || error.name === 'FailedToStartTransportError'
      || /Failed to (complete negotiation|start the connection|fetch)|WebSocket|connection/i.test(message))) {
      return t('connectionFailed');
    }
    return t('genericError');
  }

  // ---------- markdown ----------

  let markdownConfigured = false;

  function configureMarkdown() {
    if (markdownConfigured) {
      return;
    }
    markdownConfigured = true;
    marked.use({
      gfm: true,
      breaks: true,
      renderer: {
        // Raw HTML in model output is shown as the text it is, never parsed as markup.
        html(token) {
          return escapeHtml(token.text || token.raw || '');
        },
      },
      // Headings inside an answer must not outrank the page's own headings.
      walkTokens(token) {
        if (token.type === 'heading') {
          token.depth = Math.min(6, Math.max(3, token.depth + 2));
        }
      },
    });
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        node.setAttribute('rel', 'noopener noreferrer nofollow');
        node.setAttribute('target', '_blank');
      }
    });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  function toAsciiDigits(text) {
    return text.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
      .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06F0));
  }

  function renderAnswer(turn) {
    turn.renderPending = false;
    const html = marked.parse(turn.answerText, { async: false });
    const clean = DOMPurify.sanitize(html, PURIFY_CONFIG);
    turn.view.answer.innerHTML = clean;
    linkifyMarkers(turn.view.answer, turn);
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

  // Replaces [n] markers in the sanitized answer's text nodes with buttons that open source n.
  function linkifyMarkers(root, turn) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode(node) {
        return node.parentElement && node.parentElement.closest('code, pre, a') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      },
    });
    const textNodes = [];
    while (walker.nextNode()) {
      textNodes.push(walker.currentNode);
    }
    for (const node of textNodes) {
      const text = node.nodeValue;
      MARKER_PATTERN.lastIndex = 0;
      if (!MARKER_PATTERN.test(text)) {
        continue;
      }
      MARKER_PATTERN.lastIndex = 0;
      const fragment = document.createDocumentFragment();
      let last = 0;
      let match;
      while ((match = MARKER_PATTERN.exec(text)) !== null) {
        fragment.append(text.slice(last, match.index));
        const group = document.createElement('span');
        group.className = 'cite-group';
        for (const part of toAsciiDigits(match[1]).split(/\s*[,،]\s*/)) {
          group.append(markerButton(turn, Number(part)));
        }
        fragment.append(group);
        last = match.index + match[0].length;
      }
      fragment.append(text.slice(last));
      node.replaceWith(fragment);
    }
  }

  function markerButton(turn, number) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'cite';
    button.textContent = String(number);
    button.dataset.marker = String(number);
    button.dataset.n = String(number);
    button.dataset.i18nAriaLabel = 'citationLabel';
    button.setAttribute('aria-label', t('citationLabel', { n: number }));
    button.setAttribute('aria-controls', 'sources-panel');
    button.setAttribute('aria-expanded', 'false');
    const citation = turn.citations.get(number);
    if (citation && citation.support !== undefined && citation.support !== null) {
      button.dataset.support = String(citation.support);
    }
    if (!turn.passages.has(number) && !citation && turn.passagesKnown) {
      button.classList.add('cite-missing');
    }
    button.addEventListener('click', () => openSource(turn, number, button));
    return button;
  }

  // ---------- messages ----------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function translated(tag, className, key) {
    const node = element(tag, className, t(key));
    node.dataset.i18n = key;
    return node;
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

  function addAssistantMessage() {
    const item = element('li', 'message message-assistant');
    item.dataset.state = 'streaming';
    item.append(translated('p', 'message-author', 'assistant'));

    const answer = element('div', 'answer markdown');
    answer.dir = 'auto';
    answer.setAttribute('aria-live', 'polite');
    answer.setAttribute('aria-busy', 'true');

    const progress = translated('p', 'progress', 'thinking');
    progress.setAttribute('aria-hidden', 'true');

    const notice = element('p', 'notice');
    notice.dir = 'auto';
    notice.setAttribute('role', 'note');
    notice.hidden = true;

    const unsupported = element('div', 'unsupported');
    unsupported.hidden = true;

    const sources = element('details', 'sources-list');
    sources.hidden = true;
    const sourcesSummary = element('summary');
    const sourcesItems = element('ol');
    sources.append(sourcesSummary, sourcesItems);

    const actions = element('div', 'message-actions');
    const copy = translated('button', 'btn btn-ghost btn-small copy', 'copy');
    copy.type = 'button';
    copy.disabled = true;
    actions.append(copy);

    item.append(progress, answer, notice, unsupported, sources, actions);
    el.messages.append(item);
    return { item, answer, progress, notice, unsupported, sources, sourcesSummary, sourcesItems, copy };
  }

  function scrollToLatest(node) {
    if (typeof node.scrollIntoView === 'function') {
      node.scrollIntoView({ block: 'nearest' });
    }
  }

  function showSources(turn) {
    const view = turn.view;
    view.sourcesItems.replaceChildren();
    const numbers = [...turn.passages.keys()].sort((a, b) => a - b);
    if (numbers.length === 0) {
      view.sources.hidden = true;
      return;
    }
    view.sourcesSummary.replaceChildren(element('span', '', t('sourcesList')), element('span', 'count', ` (${numbers.length})`));
    for (const number of numbers) {
      const passage = turn.passages.get(number);
      const li = element('li');
      const button = element('button', 'source-link');
      button.type = 'button';
      button.dataset.number = String(number);
      button.setAttribute('aria-controls', 'sources-panel');
      button.setAttribute('aria-expanded', 'false');
      const title = element('span', 'source-title', passage.title || passage.documentId || '');
      title.dir = 'auto';
      setLang(title, passage.language);
      button.append(element('span', 'source-number', `[${number}]`), ' ', title);
      const meta = [passage.outlet, formatDate(passage.date)].filter(Boolean).join(' · ');
      if (meta) {
        const metaNode = element('span', 'source-meta', meta);
        metaNode.dir = 'auto';
        button.append(' ', metaNode);
      }
      button.addEventListener('click', () => openSource(turn, number, button));
      li.append(button);
      view.sourcesItems.append(li);
    }
    view.sources.hidden = false;
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
    view.notice.hidden = !text;
  }

  // ---------- asking ----------

  function setStreaming(streaming) {
    const stopHadFocus = document.activeElement === el.stop;
    el.send.hidden = streaming;
    el.stop.hidden = !streaming;
    el.form.setAttribute('aria-busy', streaming ? 'true' : 'false');
    if (!streaming && stopHadFocus) {
      el.question.focus();
    }
  }

  async function ask(question) {
    if (state.current) {
      return;
    }
    configureMarkdown();
    addUserMessage(question);
    const turn = {
      question,
      answerText: '',
      passages: new Map(),
      passagesKnown: false,
      citations: new Map(),
      unsupportedClaims: [],
      mode: null,
      finished: false,
      subscription: null,
      renderPending: false,
      view: addAssistantMessage(),
    };
    turn.view.copy.addEventListener('click', () => copyAnswer(turn));
    state.current = turn;
    setStreaming(true);
    setStatus(t('thinking'));
    scrollToLatest(turn.view.item);

    let connection;
    try {
      connection = await ensureConnected();
    } catch (error) {
      if (/\b401\b/.test(String(error && error.message)) || (error && error.statusCode === 401)) {
        await resetConnection();
      }
      fail(turn, describeError(error));
      return;
    }
    if (turn.finished) {
      return; // Stopped while connecting.
    }

    const request = { question, language: state.language };
    if (state.conversationId) {
      request.conversationId = state.conversationId;
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
        showSources(turn);
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
          state.conversationId = String(event.conversationId);
        }
        if (event.language) {
          setLang(turn.view.answer, event.language);
        }
        const notice = typeof event.notice === 'string' ? event.notice.trim() : '';
        if (turn.mode === 'abstained') {
          showNotice(turn, notice || t('noticeAbstained'), 'abstained');
        } else if (turn.mode === 'partial') {
          showNotice(turn, notice || t('noticePartial'), 'partial');
        } else if (turn.mode === 'extractive') {
          showNotice(turn, notice || t('noticeExtractive'), 'extractive');
        } else if (notice) {
          showNotice(turn, notice, 'info');
        }
        turn.view.item.dataset.mode = turn.mode || '';
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
    if (state.current === turn) {
      state.current = null;
      setStreaming(false);
    }
    if (outcome === 'done') {
      setStatus(turn.view.notice.hidden ? t('answerReady') : turn.view.notice.textContent);
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

  function stop() {
    const turn = state.current;
    if (!turn) {
      return;
    }
    if (turn.subscription) {
      // Disposing the subscription sends CancelInvocation; the server cancels the answer.
      turn.subscription.dispose();
    }
    const note = translated('p', 'stopped-note', 'stoppedNote');
    turn.view.item.insertBefore(note, turn.view.notice);
    finish(turn, 'stopped');
    setStatus(t('stopped'));
    el.question.focus();
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

  async function newConversation() {
    if (state.current) {
      stop();
    }
    state.conversationId = null;
    el.messages.replaceChildren();
    el.intro.hidden = false;
    closeSources(false);
    el.question.value = '';
    setStatus(t('newConversationStarted'));
    el.question.focus();
  }

  // ---------- sources panel ----------

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
    for (const [key, value, dir] of entries) {
      if (!value) {
        continue;
      }
      list.append(translated('dt', '', key));
      const dd = element('dd', '', value);
      dd.dir = dir || 'auto';
      list.append(dd);
    }
    return list;
  }

  function openSource(turn, number, trigger) {
    const passage = turn.passages.get(number) || null;
    const citation = turn.citations.get(number) || null;
    const info = passage || citation;
    const body = el.panelBody;
    body.replaceChildren();
    el.panel.dataset.marker = String(number);

    if (!info) {
      body.append(translated('p', 'panel-empty', 'noPassage'));
    } else {
      const title = element('h3', 'source-title', info.title || info.documentId || '');
      title.dir = 'auto';
      setLang(title, info.language);
      body.append(element('p', 'source-number', `[${number}]`), title);
      body.append(metaList([
        ['outlet', info.outlet],
        ['date', formatDate(info.date)],
        ['language', languageName(info.language)],
      ]));

      const range = quoteRangeInPassage(passage, citation);
      if (passage && typeof passage.text === 'string') {
        const label = translated('p', 'passage-label', range ? 'quoteLabel' : 'passageLabel');
        const block = element('blockquote', 'passage');
        block.dir = 'auto';
        setLang(block, passage.language);
        appendHighlighted(block, passage.text, range);
        body.append(label, block);
      } else if (citation && citation.quote) {
        const block = element('blockquote', 'passage');
        block.dir = 'auto';
        setLang(block, citation.language);
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

    setExpanded(state.panelTrigger, false);
    state.panelTrigger = trigger || null;
    setExpanded(state.panelTrigger, true);
    el.panel.hidden = false;
    el.html.classList.add('panel-open');
    el.panelHeading.focus();
  }

  function setExpanded(trigger, expanded) {
    if (trigger && trigger.hasAttribute('aria-expanded')) {
      trigger.setAttribute('aria-expanded', expanded ? 'true' : 'false');
    }
  }

  function closeSources(restoreFocus) {
    if (el.panel.hidden) {
      return;
    }
    el.panel.hidden = true;
    el.html.classList.remove('panel-open');
    const trigger = state.panelTrigger;
    state.panelTrigger = null;
    setExpanded(trigger, false);
    if (restoreFocus !== false) {
      if (trigger && trigger.isConnected) {
        trigger.focus();
      } else {
        el.question.focus();
      }
    }
  }

  function pick(object, names) {
    for (const name of names) {
      if (object && object[name] !== undefined && object[name] !== null) {
        return object[name];
      }
    }
    return undefined;
  }

  async function loadDocument(documentId) {
    if (state.documents.has(documentId)) {
      return state.documents.get(documentId);
    }
    const promise = (async () => {
      const headers = { Accept: 'application/json' };
      const key = apiKey();
      if (key) {
        headers.Authorization = `Bearer ${key}`;
      }
      // The REST API takes the key as a bearer header (only the hub accepts access_token in the query string).
      const response = await fetch(new URL(DOCUMENTS_PATH + encodeURIComponent(documentId), document.baseURI).toString(), {
        headers,
        credentials: 'same-origin',
      });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      const json = await response.json();
      const doc = json && typeof json === 'object' && json.document && typeof json.document === 'object' ? json.document : json;
      const text = pick(doc, ['text', 'Text', 'content', 'body']);
      if (typeof text !== 'string') {
        throw new Error('no text');
      }
      return {
        text,
        title: pick(doc, ['title', 'Title']),
        outlet: pick(doc, ['outlet', 'Outlet', 'source']),
        date: pick(doc, ['date', 'Date', 'published', 'publishedAt', 'published_at', 'published_date']),
        language: pick(doc, ['language', 'Language', 'lang']),
      };
    })();
    state.documents.set(documentId, promise);
    promise.catch(() => state.documents.delete(documentId));
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
    const loading = translated('p', 'loading', 'loadingDocument');
    container.replaceChildren(loading);
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
      const block = element('blockquote', 'passage document-excerpt');
      block.dir = 'auto';
      setLang(block, doc.language);
      appendHighlighted(block, (from > 0 ? '… ' : '') + doc.text.slice(from, to) + (to < doc.text.length ? ' …' : ''),
        [range[0] - from + (from > 0 ? 2 : 0), range[1] - from + (from > 0 ? 2 : 0)]);
      container.append(translated('p', 'passage-label', 'quoteLabel'), block);
    });
  }

  function showWholeDocument(container, documentId, citation, language) {
    return withDocument(container, documentId, (doc) => {
      const block = element('div', 'document-text');
      block.dir = 'auto';
      block.tabIndex = 0;
      setLang(block, doc.language || language);
      const mark = appendHighlighted(block, doc.text, documentRange(doc.text, citation));
      container.append(block);
      if (mark && typeof mark.scrollIntoView === 'function') {
        mark.scrollIntoView({ block: 'center' });
      }
      block.focus({ preventScroll: Boolean(mark) });
    });
  }

  // ---------- wiring ----------

  function onSubmit(event) {
    event.preventDefault();
    if (state.current) {
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

  function init() {
    applyLanguage(pickDefault(readStorage(LANGUAGE_KEY), navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]));

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
    el.newConversation.addEventListener('click', newConversation);
    el.closePanel.addEventListener('click', () => closeSources(true));
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !el.panel.hidden) {
        event.preventDefault();
        closeSources(true);
      } else if (event.key === 'Escape' && state.current) {
        stop();
      }
    });
    el.languageToggle.addEventListener('click', () => {
      const next = state.language === 'ar' ? 'en' : 'ar';
      writeStorage(LANGUAGE_KEY, next);
      applyLanguage(next);
    });
    el.apiKey.value = apiKey();
    el.settingsForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const key = el.apiKey.value.trim();
      writeStorage(API_KEY_KEY, key);
      state.documents.clear();
      await resetConnection();
      setStatus(t(key ? 'keySaved' : 'keyCleared'));
    });
    el.html.dataset.ready = 'true';
  }

  init();
})();
