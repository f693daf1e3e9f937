// Settings: the reader's API key (kept across visits) and the administrator key (this browser session only).
import { t } from './i18n.js';
import { apiKey, adminKey, saveKeys } from './api.js';
import { setStatus } from './dom.js';
import { resetConnection, ensureConnected } from './connection.js';

const el = {
  form: document.getElementById('settings-form'),
  apiKey: document.getElementById('api-key'),
  adminKey: document.getElementById('admin-key'),
  details: document.querySelector('details.settings'),
};

const listeners = [];

/** Runs listener after the keys changed (the library shows or hides its write controls). */
export function onKeysChanged(listener) {
  listeners.push(listener);
}

/** Opens the settings and focuses the administrator key (when an action needs it). */
export function askForAdminKey() {
  el.details.open = true;
  el.adminKey.focus();
}

export function initSettings(forgetDocuments) {
  el.apiKey.value = apiKey();
  el.adminKey.value = adminKey();
  el.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const user = el.apiKey.value.trim();
    const admin = el.adminKey.value.trim();
    saveKeys(user, admin);
    forgetDocuments();
    await resetConnection();
    // Reconnect with the new key so this page hears about document changes.
    ensureConnected().catch(() => {});
    setStatus(t(user || admin ? 'keySaved' : 'keyCleared'));
    for (const listener of listeners) {
      listener();
    }
  });
}
