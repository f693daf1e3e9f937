// REST calls to the server with the keys of the settings and this browser's identity; problems become messages.
import { language, t } from './i18n.js';
import { readStorage, writeStorage } from './dom.js';

const API_KEY_KEY = 'policychat.apiKey';
const ADMIN_KEY_KEY = 'policychat.adminKey';
const IDENTITY_KEY = 'policychat.identity';

/** The reader's key (kept across visits, as before). */
export function apiKey() {
  return readStorage(API_KEY_KEY) || '';
}

/** The administrator key: this browser session only. */
export function adminKey() {
  return readStorage(ADMIN_KEY_KEY, true) || '';
}

export function saveKeys(user, admin) {
  writeStorage(API_KEY_KEY, user);
  writeStorage(ADMIN_KEY_KEY, admin, true);
}

/** The key for reading: the reader's, else the administrator's (it can read too). */
export function readKey() {
  return apiKey() || adminKey();
}

/**
 * This browser's identity for its conversation history: a random 128-bit value made once and kept in local storage.
 * The server keeps only its hash; without it, another browser sees none of these conversations.
 */
export function identity() {
  let value = readStorage(IDENTITY_KEY);
  if (!value || !/^[0-9a-f]{32}$/.test(value)) {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    value = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    writeStorage(IDENTITY_KEY, value);
  }
  return value;
}

export function url(path) {
  return new URL(path, document.baseURI).toString();
}

/** Headers of every API call: the key as a bearer token, the identity, and the interface language for messages. */
export function headers(options = {}) {
  const result = { Accept: options.accept || 'application/json', 'Accept-Language': language() };
  const key = options.admin ? adminKey() || readKey() : readKey();
  if (key) {
    result.Authorization = `Bearer ${key}`;
  }
  if (options.identity) {
    result['X-Browser-Identity'] = identity();
  }
  if (options.json) {
    result['Content-Type'] = 'application/json';
  }
  return result;
}

/** An error with the server's message (problem detail, already in the interface language) or a status-based one. */
export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code || '';
  }
}

export async function problemOf(response, admin) {
  let detail = '';
  let code = '';
  try {
    const body = await response.json();
    detail = body && typeof body.detail === 'string' ? body.detail : '';
    code = body && typeof body.code === 'string' ? body.code : '';
  } catch {
    // Not JSON.
  }
  return new ApiError(response.status, messageFor(response.status, admin, detail), code);
}

export function messageFor(status, admin, detail) {
  if (status === 401) {
    return admin ? (adminKey() ? t('keyWrong') : t('keyMissing')) : t('unauthorized');
  }
  if (status === 403 && admin) {
    return adminKey() ? t('keyWrong') : t('keyMissing');
  }
  if (status === 0) {
    return t('connectionFailed');
  }
  return detail || t('genericError');
}

/** fetch + JSON with the page's headers; throws ApiError. options: method, body (JSON), admin, identity, accept, raw. */
export async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(url(path), {
      method: options.method || 'GET',
      headers: headers({ ...options, json: options.body !== undefined }),
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, t('connectionFailed'));
  }
  if (!response.ok) {
    throw await problemOf(response, options.admin);
  }
  if (options.raw) {
    return response;
  }
  return response.status === 204 ? null : camelize(await response.json());
}

/** The REST API writes snake_case (like the CLI's --json); the page, like the hub, uses camelCase. */
export function camelize(value) {
  if (Array.isArray(value)) {
    return value.map(camelize);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key.replace(/_([a-z0-9])/g, (m, c) => c.toUpperCase()), camelize(inner)]));
  }
  return value;
}
