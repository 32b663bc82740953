// @ts-check
/* Canned responses on the admin page: the list per language, and a form to add one or edit one
   (only what changed goes in the PATCH); Delete asks once more in the row. The rules are the
   server's (api/routers/canned.py): the form sends what was typed and shows its refusals at their
   fields (409: the shortcut exists in that language; 422 by `loc`). Text only, never markup. */

import { byId, h } from '../shared/dom.js';
import { ApiError, callApi, violationsByField } from './api.js';

/** @typedef {import('./api.js').AdminMeta} AdminMeta */
/**
 * A canned response (handoff/canned/schemas.py, CannedPublic).
 * @typedef {{id: number, shortcut: string, language: string, title: string, text: string,
 *   updated_by: string | null, updated_at: string}} Canned
 */
/**
 * @typedef {object} EditorHooks
 * @property {URL} base the app's address
 * @property {() => string} token the signed-in admin's bearer token
 * @property {(err: ApiError) => boolean} handled true if the page dealt with it (signed out, not an admin)
 * @property {(text: string, kind?: 'info' | 'error') => void} notice
 */

const FIELDS = ['shortcut', 'language', 'title', 'text'];
const PLACEHOLDERS = '{name} {first_name} {order_id} {tracking_number} {carrier} {agent}';
const ARMED_MS = 4000;

/** @param {string} testid @param {Record<string, string | boolean>} [props] */
const input = (testid, props = {}) => h('input', { 'data-testid': testid, spellcheck: 'false', ...props });
/** @param {string} field */
const slot = (field) => h('span', {
  className: 'field-error', 'data-field': field, 'data-testid': `canned-error-${field}`,
});

const ui = {
  root: byId('canned-view'),
  count: h('span', { className: 'muted', 'data-testid': 'canned-count' }),
  filter: h('select', { 'data-testid': 'canned-language', 'aria-label': 'Language' }),
  add: h('button', { type: 'button', className: 'btn btn-small btn-primary', 'data-testid': 'canned-new' },
    'Add a response'),
  rows: h('tbody', {}),
  form: h('form', { className: 'agent-form', 'data-testid': 'canned-form', 'data-mode': 'add', autocomplete: 'off' }),
  title: h('h2', { 'data-testid': 'canned-form-title' }),
  shortcut: input('canned-shortcut', { name: 'shortcut', required: true, maxlength: '40' }),
  language: h('select', { name: 'language', 'data-testid': 'canned-form-language' }),
  heading: input('canned-title', { name: 'title', required: true, maxlength: '120', dir: 'auto' }),
  text: h('textarea', {
    name: 'text', rows: 6, maxlength: 2000, required: true, dir: 'auto', 'data-testid': 'canned-text',
  }),
  error: h('p', { className: 'form-error', role: 'alert', 'data-testid': 'canned-form-error' }),
  save: h('button', { type: 'submit', className: 'btn btn-primary', 'data-testid': 'canned-save' }),
  cancel: h('button', { type: 'button', className: 'btn', 'data-testid': 'canned-cancel' }, 'Cancel'),
};

/** @type {EditorHooks | null} */
let hooks = null;
/** @type {Canned | null} the response in the form; null: adding one */
let current = null;

/** @param {EditorHooks} editorHooks */
export function initCannedEditor(editorHooks) {
  hooks = editorHooks;
  ui.root.replaceChildren(
    h('section', { className: 'admin-main' },
      h('header', { className: 'admin-header' }, h('h2', {}, 'Canned responses ', ui.count), ui.filter, ui.add),
      h('div', { className: 'table-scroll' },
        h('table', { className: 'team-table canned-table', 'data-testid': 'canned-table' },
          h('thead', {}, h('tr', {}, ...['Shortcut', 'Title', 'Text', 'Updated'].map((c) => h('th', { scope: 'col' }, c)),
            h('th', { scope: 'col' }, h('span', { className: 'visually-hidden' }, 'Actions')))),
          ui.rows))),
    h('aside', { className: 'admin-aside' }, ui.form));
  ui.form.append(ui.title,
    h('label', {}, 'Shortcut', ui.shortcut, h('span', { className: 'hint muted' },
      'Lower case letters, digits and -; agents type it after “/”.'), slot('shortcut')),
    h('label', {}, 'Language', ui.language, slot('language')),
    h('label', {}, 'Title', ui.heading, slot('title')),
    h('label', {}, 'Text', ui.text, h('span', { className: 'hint muted' },
      `Filled in from the conversation: ${PLACEHOLDERS}`), slot('text')),
    ui.error, h('div', { className: 'form-actions' }, ui.save, ui.cancel));
  ui.filter.addEventListener('change', () => {
    if (!current) ui.language.value = ui.filter.value;
    refresh();
  });
  ui.add.addEventListener('click', () => { startAdd(); ui.shortcut.focus(); });
  ui.cancel.addEventListener('click', () => startAdd());
  ui.form.addEventListener('submit', (event) => { event.preventDefault(); save(); });
}

/**
 * Shows the section for an admin and loads the list (the languages are the server's).
 * @param {AdminMeta} meta
 */
export async function loadCanned(meta) {
  if (!ui.filter.options.length) {
    for (const select of [ui.filter, ui.language]) {
      select.replaceChildren(...meta.languages.map((l) => h('option', { value: l.code, lang: l.code },
        `${l.name} (${l.code})`)));
    }
    startAdd();
  }
  if (await refresh()) ui.root.hidden = false;
}

/** Hides and empties the section (signed out, or not an admin). */
export function clearCanned() {
  ui.root.hidden = true;
  ui.rows.replaceChildren();
  ui.count.textContent = '';
  startAdd();
}

/**
 * @param {string} path
 * @param {{method?: string, body?: unknown}} [options]
 * @returns {Promise<any>}
 */
function call(path, options) {
  return callApi(hooks?.base || new URL('./', window.location.href), hooks?.token() || '', path, options);
}

/**
 * Reloads the list of the chosen language.
 * @param {number | null} [changedId] the row to mark as just saved
 * @returns {Promise<boolean>} whether it loaded
 */
async function refresh(changedId = null) {
  try {
    /** @type {Canned[]} */
    const found = await call(`api/agent/canned?language=${encodeURIComponent(ui.filter.value)}`);
    ui.count.textContent = `(${found.length})`;
    ui.rows.replaceChildren(...found.map((item) => row(item, item.id === changedId)));
    return true;
  } catch (err) {
    if (err instanceof ApiError && !hooks?.handled(err)) {
      hooks?.notice(`Could not load canned responses (HTTP ${err.status}).`, 'error');
    }
    return false;
  }
}

/**
 * @param {Canned} item
 * @param {boolean} changed
 * @returns {HTMLTableRowElement}
 */
function row(item, changed) {
  const remove = h('button', {
    type: 'button', className: 'btn btn-small btn-danger', 'data-testid': 'canned-delete',
  }, 'Delete');
  remove.addEventListener('click', () => confirmDelete(item, remove));
  const classes = [current?.id === item.id ? 'editing' : '', changed ? 'changed' : ''].filter(Boolean).join(' ');
  return h('tr', {
    'data-testid': 'canned-row', 'data-canned-id': item.id, 'data-shortcut': item.shortcut, className: classes || null,
  },
    h('td', { 'data-col': 'shortcut' }, `/${item.shortcut}`),
    h('td', { 'data-col': 'title', dir: 'auto', lang: item.language }, item.title),
    h('td', { 'data-col': 'text', dir: 'auto', lang: item.language, title: item.text }, item.text),
    h('td', { 'data-col': 'updated', className: 'muted' },
      `${item.updated_by || 'demo'} · ${new Date(item.updated_at).toLocaleDateString()}`),
    h('td', {}, h('span', { className: 'canned-actions' },
      h('button', {
        type: 'button', className: 'btn btn-small', 'data-testid': 'canned-edit', onclick: () => startEdit(item),
      }, 'Edit'),
      remove)));
}

/**
 * The first click arms the button ("Delete /x?"), a second one within a few seconds deletes.
 * @param {Canned} item
 * @param {HTMLButtonElement} button
 */
async function confirmDelete(item, button) {
  if (!button.dataset.armed) {
    button.dataset.armed = 'true';
    button.textContent = `Delete /${item.shortcut}?`;
    window.setTimeout(() => { delete button.dataset.armed; button.textContent = 'Delete'; }, ARMED_MS);
    return;
  }
  button.disabled = true;
  try {
    await call(`api/admin/canned/${item.id}`, { method: 'DELETE' });
    hooks?.notice(`Deleted /${item.shortcut} (${item.language}).`);
    if (current?.id === item.id) startAdd();
  } catch (err) {
    if (err instanceof ApiError && !hooks?.handled(err)) {
      hooks?.notice(err.status === 404 ? `/${item.shortcut} was deleted already.`
        : `Not deleted (HTTP ${err.status}).`, 'error');
    }
  }
  refresh();
}

/** The form for a new response, in the language shown. */
function startAdd() {
  current = null;
  ui.form.dataset.mode = 'add';
  ui.form.reset();
  clearErrors();
  ui.language.value = ui.filter.value;
  ui.title.textContent = 'Add a canned response';
  ui.save.textContent = 'Add response';
  ui.cancel.hidden = true;
  markEditing();
}

/** @param {Canned} item */
function startEdit(item) {
  current = item;
  ui.form.dataset.mode = 'edit';
  clearErrors();
  ui.shortcut.value = item.shortcut;
  ui.language.value = item.language;
  ui.heading.value = item.title;
  ui.text.value = item.text;
  ui.title.textContent = `Edit /${item.shortcut} (${item.language})`;
  ui.save.textContent = 'Save changes';
  ui.cancel.hidden = false;
  markEditing();
  ui.heading.focus();
}

function markEditing() {
  for (const tr of ui.rows.querySelectorAll('tr')) {
    tr.classList.toggle('editing', tr.getAttribute('data-canned-id') === String(current?.id));
  }
}

async function save() {
  clearErrors();
  /** @type {Record<string, string>} */
  const typed = {
    shortcut: ui.shortcut.value.trim(), language: ui.language.value, title: ui.heading.value, text: ui.text.value,
  };
  const editing = current;
  // Only what changed, so a save never rewrites what another admin changed meanwhile.
  const body = editing
    ? Object.fromEntries(Object.entries(typed).filter(([key, value]) => value !== /** @type {any} */ (editing)[key]))
    : typed;
  ui.save.disabled = true;
  try {
    /** @type {Canned} */
    const saved = editing
      ? await call(`api/admin/canned/${editing.id}`, { method: 'PATCH', body })
      : await call('api/admin/canned', { method: 'POST', body });
    hooks?.notice(`${editing ? 'Saved' : 'Added'} /${saved.shortcut} (${saved.language}).`);
    ui.filter.value = saved.language;
    startAdd();
    refresh(saved.id);
  } catch (err) {
    if (err instanceof ApiError && hooks?.handled(err)) return;
    showError(err, typed);
  } finally {
    ui.save.disabled = false;
  }
}

/**
 * @param {unknown} err
 * @param {Record<string, string>} typed
 */
function showError(err, typed) {
  if (!(err instanceof ApiError)) {
    ui.error.textContent = err instanceof Error ? err.message : String(err);
  } else if (err.status === 0) {
    ui.error.textContent = 'Cannot reach the server. Try again in a moment.';
  } else if (err.status === 409) {
    fieldError('shortcut', `“/${typed.shortcut}” exists in ${typed.language} already: choose another shortcut.`);
    ui.error.textContent = 'Not saved: that shortcut is taken in this language.';
  } else if (err.status === 422) {
    const byField = violationsByField(err.detail, FIELDS);
    for (const [field, messages] of byField) if (field) fieldError(field, messages.join(' '));
    ui.error.textContent = ['The server refused this: see the marked fields.', ...(byField.get('') || [])].join(' ');
  } else if (err.status === 404) {
    ui.error.textContent = 'This response no longer exists.';
  } else {
    ui.error.textContent = `Refused (HTTP ${err.status}).`;
  }
}

/**
 * @param {string} field
 * @param {string} text
 */
function fieldError(field, text) {
  const target = ui.form.querySelector(`.field-error[data-field="${field}"]`);
  if (target) target.textContent = text;
  ui.form.querySelector(`[name="${field}"]`)?.setAttribute('aria-invalid', 'true');
}

function clearErrors() {
  ui.error.textContent = '';
  for (const target of ui.form.querySelectorAll('.field-error')) target.textContent = '';
  for (const control of ui.form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
}
