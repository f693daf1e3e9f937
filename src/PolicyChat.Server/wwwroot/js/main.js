// PolicyChat web page: wires the views (chat, documents, history), the settings and the language toggle.
// Safety rules: model output goes marked -> DOMPurify.sanitize -> innerHTML (markdown.js); text from documents
// (passages, quotes, titles, outlets) and questions only ever become text nodes, never HTML.
import { t, applyLanguage, pickDefault, language } from './i18n.js';
import { readStorage, writeStorage } from './dom.js';
import { initChat, newConversation, showConversation, stop, isStreaming, onConversationChanged } from './chat.js';
import { initSources, closeSources, isPanelOpen, forgetDocuments } from './sources.js';
import { initSettings, onKeysChanged } from './settings.js';
import { initServiceState } from './service-state.js';
import { initLibrary, showLibrary, documentsChanged, updateWriteAccess } from './library.js';
import { initHistory, showHistory, historyVisible, refreshHistory } from './history.js';
import { onDocumentsChanged, ensureConnected } from './connection.js';

const LANGUAGE_KEY = 'policychat.language';
const VIEWS = { chat: 'view-chat', documents: 'view-library', history: 'view-history' };

const el = {
  html: document.documentElement,
  languageToggle: document.getElementById('language-toggle'),
  newConversation: document.getElementById('new-conversation'),
  question: document.getElementById('question'),
  nav: document.querySelectorAll('[data-view]'),
};

function currentView() {
  const name = window.location.hash.replace(/^#/, '');
  return name in VIEWS ? name : 'chat';
}

/** Shows one view; the others are hidden. The view is kept in the address (#documents, #history). */
function showView(name, focus) {
  for (const [view, id] of Object.entries(VIEWS)) {
    document.getElementById(id).hidden = view !== name;
  }
  for (const link of el.nav) {
    if (link.dataset.view === name) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  el.html.dataset.view = name;
  if (name !== 'chat') {
    closeSources(false);
  }
  if (name === 'documents') {
    showLibrary();
  } else if (name === 'history') {
    showHistory();
  }
  if (focus) {
    const heading = document.querySelector(`#${VIEWS[name]} h2`);
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }
}

function updateToggle() {
  // The toggle names the other language in that language.
  const other = language() === 'ar' ? 'en' : 'ar';
  el.languageToggle.textContent = t('switchLanguage');
  el.languageToggle.lang = other;
  el.languageToggle.dir = other === 'ar' ? 'rtl' : 'ltr';
}

function init() {
  applyLanguage(pickDefault(readStorage(LANGUAGE_KEY), navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]));
  updateToggle();
  initSources();
  initChat();
  initSettings(forgetDocuments);
  initServiceState();
  initLibrary();
  initHistory((conversation) => {
    showConversation(conversation);
    window.location.hash = '';
    showView('chat');
    el.question.focus();
  });
  onDocumentsChanged(documentsChanged);
  onKeysChanged(updateWriteAccess);
  onConversationChanged(() => {
    if (historyVisible()) {
      refreshHistory();
    }
  });

  el.newConversation.addEventListener('click', () => {
    if (currentView() !== 'chat') {
      window.location.hash = '';
    }
    showView('chat');
    newConversation();
  });
  for (const link of el.nav) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const name = link.dataset.view;
      if (name === 'chat') {
        history.replaceState(null, '', window.location.pathname + window.location.search);
      } else {
        window.location.hash = name;
      }
      showView(name, true);
    });
  }
  window.addEventListener('hashchange', () => showView(currentView()));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && isPanelOpen()) {
      event.preventDefault();
      closeSources(true);
    } else if (event.key === 'Escape' && isStreaming()) {
      stop();
    }
  });
  el.languageToggle.addEventListener('click', () => {
    const next = language() === 'ar' ? 'en' : 'ar';
    writeStorage(LANGUAGE_KEY, next);
    applyLanguage(next);
    updateToggle();
  });
  showView(currentView());
  // Connect early so other pages' document changes arrive; a failure here is reported when a question is asked.
  ensureConnected().catch(() => {});
  el.html.dataset.ready = 'true';
}

init();
