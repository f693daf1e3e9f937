// The Documents view: every document with its metadata, a language filter, reading a document, and for holders of
// the administrator key: upload (picker or drag-and-drop, several files, per-file progress), delete and re-index.
import { t, tNodes, languageName, formatDate, formatMoment, formatNumber, onLanguageChange } from './i18n.js';
import { element, translated, button, setDirection, setStatus } from './dom.js';
import { request, headers, url, adminKey, problemOf, messageFor } from './api.js';
import { loadDocument, forgetDocuments } from './sources.js';
import { askForAdminKey } from './settings.js';

const el = {
  view: document.getElementById('view-library'),
  filter: document.getElementById('library-language'),
  count: document.getElementById('library-count'),
  readOnly: document.getElementById('library-readonly'),
  upload: document.getElementById('upload'),
  drop: document.getElementById('drop-zone'),
  files: document.getElementById('upload-files'),
  uploads: document.getElementById('upload-results'),
  table: document.getElementById('library-table'),
  rows: document.getElementById('library-rows'),
  message: document.getElementById('library-message'),
  reader: document.getElementById('document-reader'),
  list: document.getElementById('library-list'),
};

let documents = [];
let loaded = false;
let loading = null;

export function canWrite() {
  return Boolean(adminKey());
}

/** Shows or hides the write controls for the keys now in the settings. */
export function updateWriteAccess() {
  el.upload.hidden = !canWrite();
  el.readOnly.hidden = canWrite();
  render();
}

/** Loads the list from the server (again). */
export function refreshLibrary() {
  if (!loading) {
    loading = (async () => {
      if (!loaded) {
        el.message.replaceChildren(translated('p', 'loading', 'libraryLoading'));
      }
      try {
        const body = await request('api/documents/');
        documents = Array.isArray(body && body.documents) ? body.documents : [];
        loaded = true;
        el.message.replaceChildren();
      } catch (error) {
        el.message.replaceChildren(element('p', 'error', error.message || t('libraryFailed')));
      } finally {
        loading = null;
      }
      renderFilter();
      render();
    })();
  }
  return loading;
}

function renderFilter() {
  const selected = el.filter.value;
  const languages = [...new Set(documents.map((d) => d.language).filter(Boolean))].sort();
  el.filter.replaceChildren(translated('option', '', 'libraryAllLanguages'));
  el.filter.firstChild.value = '';
  for (const code of languages) {
    const option = element('option', '', languageName(code));
    option.value = code;
    el.filter.append(option);
  }
  el.filter.value = languages.includes(selected) ? selected : '';
}

function render() {
  const language = el.filter.value;
  const shown = documents.filter((d) => !language || d.language === language);
  el.count.replaceChildren(...tNodes('libraryCount', { count: formatNumber(shown.length) }));
  el.rows.replaceChildren();
  el.table.hidden = shown.length === 0;
  if (loaded && shown.length === 0) {
    el.message.replaceChildren(translated('p', 'empty', 'libraryEmpty'));
  } else if (loaded) {
    el.message.replaceChildren();
  }
  for (const doc of shown) {
    el.rows.append(row(doc));
  }
}

// A cell keeps the interface's direction (and alignment); document text inside it is isolated in its own <bdi>.
function cell(className, content, language, labelKey) {
  const td = element('td', className);
  if (labelKey) {
    // Shown before the value when the table becomes cards on a phone.
    td.dataset.label = t(labelKey);
  }
  if (content instanceof Node) {
    td.append(content);
  } else if (content !== undefined && content !== null && content !== '') {
    td.append(language ? setDirection(element('bdi', '', content), language) : String(content));
  }
  return td;
}

function row(doc) {
  const tr = element('tr', 'document-row');
  tr.dataset.id = doc.id;
  const open = element('button', 'link document-open', doc.title || doc.id);
  open.type = 'button';
  setDirection(open, doc.language);
  open.addEventListener('click', () => openDocument(doc));
  const title = cell('col-title', open);
  const source = setDirection(element('span', 'document-source', doc.source || ''), 'en');
  title.append(source);
  tr.append(
    title,
    cell('col-language', languageName(doc.language), null, 'columnLanguage'),
    cell('col-date', formatDate(doc.date), null, 'columnDate'),
    cell('col-outlet', doc.outlet || '', doc.language, 'columnOutlet'),
    cell('col-chunks', formatNumber(doc.chunkCount), null, 'columnChunks'),
    cell('col-ingested', formatMoment(doc.ingestedAt), null, 'columnIngested'),
  );
  const actions = cell('col-actions');
  if (canWrite()) {
    actions.append(
      button('btn btn-ghost btn-small reindex-document', 'reindexDocument', () => confirmAction(actions, doc, 'reindex')),
      button('btn btn-danger btn-small delete-document', 'deleteDocument', () => confirmAction(actions, doc, 'delete')),
    );
  }
  tr.append(actions);
  return tr;
}

// An in-page confirmation: the question, then the action and Cancel; nothing happens until the action is chosen.
function confirmAction(container, doc, action) {
  const previous = [...container.childNodes];
  const box = element('div', 'confirm');
  box.setAttribute('role', 'alertdialog');
  const question = element('p', 'confirm-question');
  question.append(...tNodes(action === 'delete' ? 'deleteConfirm' : 'reindexConfirm', { title: doc.title || doc.id }));
  const yes = button(`btn btn-small ${action === 'delete' ? 'btn-danger' : 'btn-primary'} confirm-yes`,
    action === 'delete' ? 'deleteDocument' : 'reindexDocument');
  const no = button('btn btn-ghost btn-small confirm-no', 'close', () => {
    container.replaceChildren(...previous);
    previous[0]?.focus();
  });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    no.disabled = true;
    try {
      if (action === 'delete') {
        await request(`api/documents/${encodeURIComponent(doc.id)}`, { method: 'DELETE', admin: true });
        setStatus(tNodes('deleted', { title: doc.title || doc.id }));
      } else {
        const result = await request(`api/documents/${encodeURIComponent(doc.id)}/reindex`, { method: 'POST', admin: true });
        setStatus(tNodes('reindexed', { title: doc.title || doc.id, chunks: formatNumber(result ? result.chunks : 0) }));
      }
      forgetDocuments();
      await refreshLibrary();
    } catch (error) {
      box.append(element('p', 'error', error.message));
      if (error.status === 401 || error.status === 403) {
        askForAdminKey();
      }
      no.disabled = false;
    }
  });
  box.append(question, yes, no);
  container.replaceChildren(box);
  yes.focus();
}

async function openDocument(doc) {
  el.list.hidden = true;
  el.reader.hidden = false;
  const back = button('btn btn-ghost btn-small back-to-list', 'backToList', closeDocument);
  const title = setDirection(element('h3', 'reader-title', doc.title || doc.id), doc.language);
  const meta = element('p', 'reader-meta');
  meta.append(...[languageName(doc.language), formatDate(doc.date), doc.outlet].filter(Boolean)
    .flatMap((part, i) => (i ? [' · ', element('bdi', '', part)] : [element('bdi', '', part)])));
  const body = element('div', 'document-text reader-text');
  body.append(translated('p', 'loading', 'loadingDocument'));
  el.reader.replaceChildren(back, title, meta, body);
  title.tabIndex = -1;
  title.focus();
  try {
    const full = await loadDocument(doc.id);
    body.replaceChildren(full.text);
    setDirection(body, full.language || doc.language);
  } catch {
    body.replaceChildren(translated('p', 'error', 'documentFailed'));
  }
}

function closeDocument() {
  el.reader.hidden = true;
  el.reader.replaceChildren();
  el.list.hidden = false;
}

// ---------- upload ----------

/** Uploads the files one request each, so every file shows its own progress and result. */
async function uploadFiles(fileList) {
  const files = [...fileList];
  if (files.length === 0) {
    return;
  }
  if (!canWrite()) {
    setStatus(t('keyMissing'));
    askForAdminKey();
    return;
  }
  const items = files.map((file) => {
    const li = element('li', 'upload-item');
    li.dataset.file = file.name;
    const name = setDirection(element('span', 'upload-name', file.name), 'en');
    const progress = element('progress', 'upload-progress');
    progress.max = 100;
    progress.value = 0;
    const state = translated('span', 'upload-state', 'uploadWaiting');
    li.append(name, ' ', progress, ' ', state);
    el.uploads.prepend(li);
    return { file, li, progress, state };
  });
  let changed = false;
  for (const item of items) {
    const result = await uploadOne(item);
    changed = changed || result === 'added' || result === 'updated';
  }
  setStatus(tNodes('uploadDone', { count: formatNumber(items.length) }));
  if (changed) {
    forgetDocuments();
  }
  await refreshLibrary();
}

function showUploadState(item, key, values) {
  item.state.removeAttribute('data-i18n');
  item.state.replaceChildren(...tNodes(key, values));
}

function uploadOne(item) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url('api/documents/'));
    for (const [name, value] of Object.entries(headers({ admin: true }))) {
      xhr.setRequestHeader(name, value);
    }
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) {
        const percent = Math.round((event.loaded / event.total) * 100);
        item.progress.value = percent;
        showUploadState(item, percent >= 100 ? 'uploadIndexing' : 'uploadSending', { percent: formatNumber(percent) });
      }
    });
    xhr.addEventListener('load', async () => {
      item.progress.value = 100;
      let status = 'failed';
      if (xhr.status >= 200 && xhr.status < 300) {
        let body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          // Unreadable: reported as failed below.
        }
        const result = body && Array.isArray(body.results) ? body.results[0] : null;
        status = result && ['added', 'updated', 'unchanged', 'skipped', 'failed'].includes(result.status) ? result.status : 'failed';
        showUploadState(item, `upload_${status}`, { reason: (result && result.reason) || t('genericError') });
      } else {
        const problem = await problemOf(new Response(xhr.responseText, { status: xhr.status }), true);
        showUploadState(item, 'upload_failed', { reason: problem.message });
        if (xhr.status === 401 || xhr.status === 403) {
          askForAdminKey();
        }
      }
      item.li.dataset.status = status;
      resolve(status);
    });
    xhr.addEventListener('error', () => {
      showUploadState(item, 'upload_failed', { reason: messageFor(0, true, '') });
      item.li.dataset.status = 'failed';
      resolve('failed');
    });
    const form = new FormData();
    form.append('files', item.file, item.file.name);
    xhr.send(form);
  });
}

export function initLibrary() {
  el.filter.addEventListener('change', render);
  el.files.addEventListener('change', () => {
    uploadFiles(el.files.files);
    el.files.value = '';
  });
  for (const type of ['dragenter', 'dragover']) {
    el.drop.addEventListener(type, (event) => {
      event.preventDefault();
      el.drop.classList.add('dragging');
    });
  }
  for (const type of ['dragleave', 'drop']) {
    el.drop.addEventListener(type, () => el.drop.classList.remove('dragging'));
  }
  el.drop.addEventListener('drop', (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files) {
      uploadFiles(event.dataTransfer.files);
    }
  });
  onLanguageChange(() => {
    renderFilter();
    render();
  });
  updateWriteAccess();
}

/** The view became visible. */
export function showLibrary() {
  return refreshLibrary();
}

/** Documents changed on the server (announced to every open page). */
export function documentsChanged() {
  forgetDocuments();
  if (!el.view.hidden || loaded) {
    refreshLibrary();
  }
}
