// Interface language: the strings (strings-en.js, strings-ar.js), the current language, and formatting helpers.
// Text from documents and the model never goes through here.
import { en } from './strings-en.js';
import { ar } from './strings-ar.js';

export const strings = Object.freeze({ en, ar });

let current = 'en';
const listeners = [];

export function language() {
  return current;
}

/** The interface string for key, with {name} placeholders filled from values. */
export function t(key, values) {
  const table = strings[current] || strings.en;
  const template = key in table ? table[key] : strings.en[key];
  return values ? format(template, values) : template;
}

export function format(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (match, key) => (values && key in values ? String(values[key]) : match));
}

/**
 * The string for key as nodes, each value isolated in its own <bdi> so an Arabic title in an English sentence (or the
 * reverse) keeps its own direction and does not reorder the sentence around it.
 */
export function tNodes(key, values) {
  const template = String(t(key));
  const nodes = [];
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    nodes.push(template.slice(last, match.index));
    const bdi = document.createElement('bdi');
    bdi.textContent = values && match[1] in values ? String(values[match[1]]) : match[0];
    nodes.push(bdi);
    last = match.index + match[0].length;
  }
  nodes.push(template.slice(last));
  return nodes.filter((n) => n !== '');
}

export function pickDefault(stored, browserLanguages) {
  if (stored === 'ar' || stored === 'en') {
    return stored;
  }
  for (const tag of browserLanguages || []) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (primary === 'ar') {
      return 'ar';
    }
    if (primary === 'en') {
      return 'en';
    }
  }
  return 'en';
}

/** Switches the interface language: html lang/dir, every [data-i18n*] node, then the views' listeners. */
export function applyLanguage(next) {
  current = next === 'ar' ? 'ar' : 'en';
  const html = document.documentElement;
  html.lang = current;
  html.dir = current === 'ar' ? 'rtl' : 'ltr';
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
  for (const node of document.querySelectorAll('[data-i18n-title]')) {
    node.title = t(node.dataset.i18nTitle, node.dataset);
  }
  for (const listener of listeners) {
    listener(current);
  }
}

export function onLanguageChange(listener) {
  listeners.push(listener);
}

export function languageName(code) {
  if (!code) {
    return '';
  }
  const names = t('languageNames');
  return (names && names[String(code).toLowerCase()]) || String(code);
}

function locale() {
  // Arabic with Latin digits reads naturally next to document titles and numbers quoted from sources.
  return current === 'ar' ? 'ar-u-nu-latn' : 'en';
}

/** A date (YYYY-MM-DD…) as the reader's language writes it; other text as it is. */
export function formatDate(value) {
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
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  } catch {
    return text;
  }
}

/** A moment (ISO timestamp) with date and time in the reader's time zone. */
export function formatMoment(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return String(value || '');
  }
  try {
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  } catch {
    return date.toISOString();
  }
}

export function formatNumber(value) {
  try {
    return new Intl.NumberFormat(locale()).format(value);
  } catch {
    return String(value);
  }
}
