// Small DOM and storage helpers shared by the views. Text from documents and the model only ever becomes text nodes here.
import { t } from './i18n.js';

const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;
const RTL_LANGUAGES = new Set(['ar', 'fa', 'he', 'ur']);

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  return node;
}

/** An element whose text is the interface string for key, re-translated when the language changes. */
export function translated(tag, className, key) {
  const node = element(tag, className, t(key));
  node.dataset.i18n = key;
  return node;
}

export function button(className, key, onClick) {
  const node = translated('button', className, key);
  node.type = 'button';
  if (onClick) {
    node.addEventListener('click', onClick);
  }
  return node;
}

export function setLang(node, code) {
  if (typeof code === 'string' && LANGUAGE_TAG.test(code)) {
    node.lang = code;
  }
}

/**
 * Gives a block of document or model text its own direction: from its language when known (an Arabic passage that
 * starts with "GDPR" is still right-to-left), else from its first strong letter. Either way the block is isolated
 * from the text around it.
 */
export function setDirection(node, language) {
  setLang(node, language);
  const primary = typeof language === 'string' ? language.toLowerCase().split('-')[0] : '';
  node.dir = RTL_LANGUAGES.has(primary) ? 'rtl' : primary === 'en' || primary === 'zh' ? 'ltr' : 'auto';
  return node;
}

/** "rtl" when Arabic letters outnumber Latin ones (the answer is written in the question's script). */
export function directionOf(text) {
  const arabic = (String(text).match(/[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]/g) || []).length;
  const latin = (String(text).match(/[A-Za-z]/g) || []).length;
  return arabic > latin ? 'rtl' : 'ltr';
}

export function readStorage(key, session) {
  try {
    return (session ? window.sessionStorage : window.localStorage).getItem(key);
  } catch {
    return null;
  }
}

export function writeStorage(key, value, session) {
  try {
    const storage = session ? window.sessionStorage : window.localStorage;
    if (value === null || value === '') {
      storage.removeItem(key);
    } else {
      storage.setItem(key, value);
    }
  } catch {
    // Storage can be disabled (private mode); the page works without it.
  }
}

const statusNode = () => document.getElementById('status');

/** The status line: interface language only; values passed as nodes stay isolated in their own <bdi>. */
export function setStatus(message) {
  const node = statusNode();
  if (!node) {
    return;
  }
  if (Array.isArray(message)) {
    node.replaceChildren(...message);
  } else {
    node.textContent = message || '';
  }
}
