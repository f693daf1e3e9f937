// The SignalR connection to /hubs/chat: started on first use, restarted after the keys change.
import { t } from './i18n.js';
import { readKey } from './api.js';
import { setStatus } from './dom.js';

const HUB_PATH = 'hubs/chat';
const signalR = window.signalR;
const documentListeners = [];

let connection = null;
let connecting = null;

/** Runs listener whenever the server announces that documents were added, replaced or deleted. */
export function onDocumentsChanged(listener) {
  documentListeners.push(listener);
}

function build() {
  const options = readKey() ? { accessTokenFactory: () => readKey() } : {};
  const built = new signalR.HubConnectionBuilder()
    .withUrl(new URL(HUB_PATH, document.baseURI).toString(), options)
    .withAutomaticReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  built.on('DocumentsChanged', () => {
    for (const listener of documentListeners) {
      listener();
    }
  });
  built.onreconnecting(() => setStatus(t('reconnecting')));
  built.onreconnected(() => setStatus(t('reconnected')));
  return built;
}

export function isConnected() {
  return Boolean(connection) && connection.state === signalR.HubConnectionState.Connected;
}

export async function ensureConnected() {
  if (!connection) {
    connection = build();
  }
  const current = connection;
  if (current.state === signalR.HubConnectionState.Connected) {
    return current;
  }
  if (!connecting) {
    connecting = (async () => {
      try {
        if (current.state === signalR.HubConnectionState.Disconnected) {
          await current.start();
        } else {
          await waitForConnected(current);
        }
        return current;
      } finally {
        connecting = null;
      }
    })();
  }
  return connecting;
}

function waitForConnected(target) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = window.setInterval(() => {
      if (target.state === signalR.HubConnectionState.Connected) {
        window.clearInterval(timer);
        resolve();
      } else if (target.state === signalR.HubConnectionState.Disconnected || Date.now() - started > 30000) {
        window.clearInterval(timer);
        reject(new Error('not connected'));
      }
    }, 100);
  });
}

export async function resetConnection() {
  const old = connection;
  connection = null;
  connecting = null;
  if (old) {
    try {
      await old.stop();
    } catch {
      // Already stopped.
    }
  }
}

export function isUnauthorized(error) {
  return Boolean(error && error.statusCode === 401) || /\b401\b/.test(String(error && error.message));
}

/** A message for a hub failure: only HubException messages are meant for users. */
export function describeError(error) {
  const message = error && error.message ? String(error.message) : '';
  if (isUnauthorized(error)) {
    return t('unauthorized');
  }
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
