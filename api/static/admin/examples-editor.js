// @ts-check
/* The Training examples section of the admin page (admins only, below the review inbox): examples an
   admin writes for an intent in one language, entities in Rasa's inline form ("cancel
   [10007](order_id)"). The server redacts them and says what it stored; they are trained on with the
   next model. Added, edited and deleted in place, each change kept on the server with its admin. */

import { byId, h } from '../shared/dom.js';
import { ApiError } from './api.js';
import { deleteExample, listExamples, saveExample } from './examples-api.js';
import { markedText } from './review-entities.js';
import { reviewErrorText } from './review-api.js';
import { formatWhen } from './review-item.js';
import { t } from './strings.js';

/** @typedef {import('./api.js').AdminMeta} AdminMeta */
/** @typedef {import('./examples-api.js').Example} Example */
/**
 * @typedef {object} ExampleHooks
 * @property {URL} base the app's address
 * @property {() => string} token the signed-in admin's bearer token
 * @property {(err: ApiError) => boolean} handled true if the page dealt with it (signed out, not an admin)
 * @property {(text: string, kind?: 'info' | 'error') => void} notice
 */

// The review inbox's list of the live model's intents (review-inbox.js fills it).
const INTENTS_LIST = 'review-intents';

const ui = {
  root: byId('examples-view'),
  form: h('form', { className: 'examples-form', 'data-testid': 'example-form', autocomplete: 'off' }),
  language: h('select', { name: 'language', 'data-testid': 'example-language', required: true }),
  intent: h('input', {
    name: 'intent', type: 'text', list: INTENTS_LIST, required: true, spellcheck: 'false', autocapitalize: 'off',
    'data-testid': 'example-intent', placeholder: t('reviewIntentPlaceholder'), className: 'review-intent',
  }),
  text: h('input', {
    name: 'text', type: 'text', required: true, maxLength: 2000, dir: 'auto', 'data-testid': 'example-text',
    placeholder: t('examplesTextPlaceholder'), className: 'examples-text',
  }),
  save: h('button', { type: 'submit', className: 'btn btn-small btn-primary', 'data-testid': 'example-save' }),
  cancel: h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'example-cancel', hidden: true },
    t('examplesCancel')),
  error: h('p', { className: 'form-error', role: 'alert', 'data-testid': 'example-error' }),
  filter: h('select', { 'data-testid': 'examples-filter-language', 'aria-label': t('reviewLanguage') }),
  list: h('ol', { className: 'examples-list', 'data-testid': 'examples-list' }),
};

/** @type {ExampleHooks | null} */
let hooks = null;
/** @type {number | null} the example being edited */
let editing = null;
let shown = false;

const base = () => hooks?.base || new URL('./', window.location.href);
const token = () => hooks?.token() || '';
/** @param {unknown} err */
const handled = (err) => err instanceof ApiError && Boolean(hooks?.handled(err));

/** @param {ExampleHooks} exampleHooks */
export function initExamples(exampleHooks) {
  hooks = exampleHooks;
  ui.form.append(ui.language, ui.intent, ui.text, ui.save, ui.cancel);
  ui.root.replaceChildren(h('section', { className: 'admin-main' },
    h('header', { className: 'admin-header' }, h('h2', {}, t('examplesTitle')), ui.filter),
    h('p', { className: 'muted' }, t('examplesIntro')),
    ui.form, ui.error, ui.list));
  ui.form.addEventListener('submit', (event) => { event.preventDefault(); void save(); });
  ui.cancel.addEventListener('click', () => startAdd());
  ui.filter.addEventListener('change', () => { void refresh(); });
  startAdd();
}

/**
 * Shows the section for an admin, the first time with the examples.
 * @param {AdminMeta} meta
 */
export async function showExamples(meta) {
  if (shown) return;
  shown = true;
  const options = () => meta.languages.map((l) => h('option', { value: l.code, lang: l.code }, `${l.name} (${l.code})`));
  ui.language.replaceChildren(...options());
  ui.filter.replaceChildren(h('option', { value: '' }, t('reviewAny')), ...options());
  ui.root.hidden = false;
  await refresh();
}

/** Hides and empties the section (signed out, or not an admin). */
export function clearExamples() {
  shown = false;
  ui.root.hidden = true;
  ui.list.replaceChildren();
  ui.error.textContent = '';
  startAdd();
}

function startAdd() {
  editing = null;
  ui.form.reset();
  ui.save.textContent = t('examplesAdd');
  ui.cancel.hidden = true;
  ui.error.textContent = '';
}

/** @param {Example} example */
function startEdit(example) {
  editing = example.id;
  ui.language.value = example.language;
  ui.intent.value = example.intent;
  ui.text.value = example.marked;
  ui.save.textContent = t('examplesSaveChanges');
  ui.cancel.hidden = false;
  ui.text.focus();
}

async function refresh() {
  ui.list.setAttribute('aria-busy', 'true');
  try {
    const examples = await listExamples(base(), token(), { language: ui.filter.value });
    ui.list.replaceChildren(...(examples.length ? examples.map(row)
      : [h('li', { className: 'muted', 'data-testid': 'examples-empty' }, t('examplesEmpty'))]));
  } catch (err) {
    if (!handled(err)) ui.error.textContent = reviewErrorText(err);
  } finally {
    ui.list.removeAttribute('aria-busy');
  }
}

async function save() {
  ui.error.textContent = '';
  ui.save.disabled = true;
  const adding = editing === null;
  try {
    const draft = { language: ui.language.value, intent: ui.intent.value.trim(), text: ui.text.value };
    const stored = await saveExample(base(), token(), draft, editing);
    hooks?.notice(t(adding ? 'examplesAdded' : 'examplesSaved', { text: stored.text }));
    startAdd();
    await refresh();
  } catch (err) {
    if (!handled(err)) ui.error.textContent = reviewErrorText(err);
  } finally {
    ui.save.disabled = false;
  }
}

/**
 * One example: its language and intent, its text with entities marked, who wrote it, edit, delete
 * (a second click confirms).
 * @param {Example} example
 * @returns {HTMLLIElement}
 */
function row(example) {
  const remove = h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'example-delete' },
    t('examplesDelete'));
  remove.addEventListener('click', async () => {
    if (remove.dataset.confirm !== 'yes') {
      remove.dataset.confirm = 'yes';
      remove.textContent = t('examplesConfirmDelete');
      return;
    }
    try {
      await deleteExample(base(), token(), example.id);
      hooks?.notice(t('examplesDeleted'));
      if (editing === example.id) startAdd();
      await refresh();
    } catch (err) {
      if (!handled(err)) ui.error.textContent = reviewErrorText(err);
    }
  });
  return h('li', { className: 'examples-row', 'data-testid': 'example', 'data-example-id': example.id },
    h('span', { className: 'badge', title: t('reviewLanguage') }, example.language),
    h('code', { 'data-testid': 'example-intent-name' }, example.intent),
    h('span', { className: 'review-text', dir: 'auto', lang: example.language, 'data-testid': 'example-shown' },
      ...markedText(example.text, example.entities)),
    h('span', { className: 'muted' }, t('examplesBy', { admin: example.created_by, at: formatWhen(example.updated_at) })),
    h('button', {
      type: 'button', className: 'btn btn-small', 'data-testid': 'example-edit', onclick: () => startEdit(example),
    }, t('examplesEdit')),
    remove);
}
