// @ts-check
/* One of the bot's responses on the admin page: its text in each language side by side (each in its
   own direction), edited in place; Save and "Restore the original" answer with the response as it is
   now, and the card is drawn again from it. Its history (who changed which language to what) loads
   when opened. Texts are text, never markup. */

import { h } from '../shared/dom.js';
import { responsesErrorText, when } from './responses-api.js';
import { t } from './strings.js';

/** @typedef {import('./responses-api.js').BotResponse} BotResponse */
/** @typedef {import('./responses-api.js').LanguageText} LanguageText */
/** @typedef {import('./responses-api.js').ResponseChange} ResponseChange */
/** @typedef {import('../shared/meta.js').Language} Language */
/**
 * @typedef {object} CardHooks
 * @property {Language[]} languages the server's, in its order
 * @property {(name: string, language: string, text: string | null) => Promise<BotResponse>} save
 * @property {(name: string) => Promise<ResponseChange[]>} history
 * @property {(err: unknown) => boolean} handled true if the page dealt with it (signed out, not an admin)
 * @property {(response: BotResponse, card: HTMLElement, language: string, restored: boolean) => void} saved
 */

const MAX_TEXT = 1000; // the server's limit (handoff/responses/catalogue.py)

/**
 * @param {BotResponse} response
 * @param {CardHooks} hooks
 * @returns {HTMLElement}
 */
export function responseCard(response, hooks) {
  const card = h('article', { className: 'responses-card', 'data-testid': 'response-card', 'data-response': response.name });
  const notes = [
    response.placeholders.length ? t('responsesPlaceholders', { list: response.placeholders.map((p) => `{${p}}`).join(' ') })
      : t('responsesNoPlaceholders'),
    response.buttons ? t('responsesButtons') : '',
    response.other_variants ? t('responsesOtherVariants', { count: response.other_variants }) : '',
  ].filter(Boolean);
  card.append(
    h('header', { className: 'responses-card-header' }, h('h3', {}, response.name),
      h('span', { className: 'muted responses-notes', 'data-testid': 'response-notes' }, notes.join(' · '))),
    h('div', { className: 'responses-langs' },
      hooks.languages.map((language) => languageCell(response, language, card, hooks))),
    historyExpander(response.name, hooks));
  return card;
}

/**
 * @param {BotResponse} response
 * @param {Language} language
 * @param {HTMLElement} card
 * @param {CardHooks} hooks
 * @returns {HTMLElement}
 */
function languageCell(response, language, card, hooks) {
  const entry = response.languages.find((l) => l.language === language.code)
    || { language: language.code, original: null, edited: null, edited_by: null, edited_at: null };
  const inEffect = entry.edited ?? entry.original;
  const textProps = { dir: language.direction, lang: language.code };
  const cell = h('section', {
    className: 'responses-lang', 'data-testid': 'response-lang', 'data-language': language.code,
    'data-edited': entry.edited !== null ? 'true' : 'false',
  });
  const error = h('p', { className: 'form-error', role: 'alert', 'data-testid': 'response-error' });
  const heading = h('h4', {}, `${language.name} (${language.code})`,
    entry.edited !== null ? h('span', { className: 'responses-badge' }, t('responsesEditedBadge')) : null);

  /** @param {string | null} text @param {HTMLButtonElement} button */
  async function save(text, button) {
    error.textContent = '';
    button.disabled = true;
    try {
      const updated = await hooks.save(response.name, language.code, text);
      hooks.saved(updated, card, language.code, text === null);
    } catch (err) {
      if (hooks.handled(err)) return;
      error.textContent = responsesErrorText(err);
      button.disabled = false;
    }
  }

  function view() {
    const edit = h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'response-edit' }, t('responsesEdit'));
    edit.addEventListener('click', editor);
    const restore = h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'response-restore' },
      t('responsesRestore'));
    restore.addEventListener('click', () => save(null, restore));
    const by = { admin: entry.edited_by || '?', at: when(entry.edited_at) };
    cell.replaceChildren(...[heading,
      h('p', { className: 'responses-text', 'data-testid': 'response-text', ...textProps },
        inEffect ?? t('responsesNoOwnText')),
      entry.edited_by ? h('p', { className: 'muted responses-by', 'data-testid': 'response-edited-by' },
        t(entry.edited !== null ? 'responsesEditedBy' : 'responsesRestoredBy', by)) : null,
      entry.edited !== null ? h('details', { className: 'responses-original', 'data-testid': 'response-original' },
        h('summary', {}, t('responsesOriginal')),
        h('p', { className: 'responses-text', ...textProps }, entry.original ?? t('responsesNoOwnText'))) : null,
      h('div', { className: 'responses-actions' }, edit, entry.edited !== null ? restore : null),
      error].filter((node) => node !== null));
  }

  function editor() {
    const textarea = h('textarea', {
      rows: 4, maxlength: MAX_TEXT, required: true, 'data-testid': 'response-textarea',
      'aria-label': t('responsesTextLabel', { name: response.name, language: language.name }), ...textProps,
    });
    textarea.value = inEffect ?? '';
    const submit = h('button', { type: 'submit', className: 'btn btn-small btn-primary', 'data-testid': 'response-save' },
      t('responsesSave'));
    const cancel = h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'response-cancel' },
      t('responsesCancel'));
    cancel.addEventListener('click', () => { error.textContent = ''; view(); });
    const form = h('form', { className: 'responses-form', autocomplete: 'off' }, textarea,
      h('div', { className: 'responses-actions' }, submit, cancel));
    form.addEventListener('submit', (event) => { event.preventDefault(); save(textarea.value, submit); });
    cell.replaceChildren(heading, form, error);
    textarea.focus();
  }

  view();
  return cell;
}

/**
 * A <details> that loads the response's history each time it is opened (other admins may have edited).
 * @param {string} name
 * @param {CardHooks} hooks
 * @returns {HTMLDetailsElement}
 */
function historyExpander(name, hooks) {
  const list = h('ol', { className: 'review-history-list', 'data-testid': 'response-history-list' });
  const details = h('details', { className: 'review-history responses-history', 'data-testid': 'response-history' },
    h('summary', {}, t('responsesHistory')), list);
  details.addEventListener('toggle', async () => {
    if (!details.open) return;
    list.replaceChildren(h('li', { className: 'muted' }, t('responsesLoading')));
    try {
      const changes = await hooks.history(name);
      list.replaceChildren(...(changes.length ? changes.map((c) => change(c, hooks.languages))
        : [h('li', { className: 'muted' }, t('responsesHistoryEmpty'))]));
    } catch (err) {
      if (hooks.handled(err)) return;
      list.replaceChildren(h('li', { className: 'form-error', role: 'alert' }, responsesErrorText(err)));
    }
  });
  return details;
}

/**
 * @param {ResponseChange} entry
 * @param {Language[]} languages
 * @returns {HTMLLIElement}
 */
function change(entry, languages) {
  const language = languages.find((l) => l.code === entry.language);
  const vars = { admin: entry.admin_id, language: language?.name || entry.language, at: when(entry.at) };
  return h('li', { 'data-testid': 'response-history-entry', 'data-admin': entry.admin_id, 'data-language': entry.language },
    entry.text === null ? t('responsesHistoryRestored', vars) : t('responsesHistorySet', vars),
    entry.text === null ? null : h('q', { dir: language?.direction || 'auto', lang: entry.language }, entry.text));
}
