// @ts-check
/* The filters: the range (two dates) and the language (the server's list, GET /api/meta), Apply, and
   Export CSV. What the server answered (its range, its language) is written back into them, so the
   defaults it chose show. The server checks the range; the page only asks for both dates in order. */

import { byId, h } from '../shared/dom.js';
import { t } from './strings.js';

/** @typedef {import('./api.js').Filters} Filters */
/** @typedef {import('./api.js').Dashboard} Dashboard */
/** @typedef {import('../shared/meta.js').Meta} Meta */

const ui = {
  form: /** @type {HTMLFormElement} */ (byId('filters')),
  from: /** @type {HTMLInputElement} */ (byId('filter-from')),
  to: /** @type {HTMLInputElement} */ (byId('filter-to')),
  language: /** @type {HTMLSelectElement} */ (byId('filter-language')),
  apply: /** @type {HTMLButtonElement} */ (byId('filter-apply')),
  exportCsv: /** @type {HTMLButtonElement} */ (byId('export-csv')),
  error: byId('filter-error'),
};

/**
 * @param {{apply: (filters: Filters) => void, exportCsv: () => void}} handlers
 */
export function initFilters({ apply, exportCsv }) {
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const filters = readFilters();
    if (filters) apply(filters);
  });
  ui.exportCsv.addEventListener('click', () => exportCsv());
}

/** @param {Meta} meta */
export function setLanguages(meta) {
  const chosen = ui.language.value;
  ui.language.replaceChildren(h('option', { value: '' }, t('allLanguages')),
    ...meta.languages.map((l) => h('option', { value: l.code }, l.name)));
  ui.language.value = chosen;
}

/**
 * The filters as typed, or null (and why, under them) if a date is missing or they are reversed.
 * @returns {Filters | null}
 */
export function readFilters() {
  const from = ui.from.value;
  const to = ui.to.value;
  if (!from || !to) return showError(t('needDates'));
  if (from > to) return showError(t('reversed'));
  showError('');
  return { from, to, language: ui.language.value };
}

/**
 * @param {string} message
 * @returns {null}
 */
export function showError(message) {
  ui.error.textContent = message;
  return null;
}

/**
 * Writes what the server answered for back into the filters.
 * @param {Dashboard} board
 */
export function showApplied(board) {
  ui.from.value = board.start;
  ui.to.value = board.end;
  ui.language.value = board.language || '';
}

/** @param {boolean} busy while a request runs */
export function setBusy(busy) {
  ui.apply.disabled = busy;
  ui.exportCsv.disabled = busy;
}
