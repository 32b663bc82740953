// @ts-check
/* The dashboard's tables: the range's figures (one row each, with how it was measured), the same
   per language, and the intents the model fell back on or was unsure about most. */

import { h } from '../shared/dom.js';
import { duration, number, percent } from './format.js';
import { t } from './strings.js';

/** @typedef {import('./api.js').Dashboard} Dashboard */
/** @typedef {import('./api.js').Durations} Durations */
/** @typedef {import('../shared/meta.js').Meta} Meta */

/**
 * @param {string} name the row's data-figure (the tests find the value by it)
 * @param {string} label
 * @param {string} value
 * @param {string} detail
 * @returns {HTMLTableRowElement}
 */
function row(name, label, value, detail) {
  return h('tr', { 'data-figure': name },
    h('th', { scope: 'row' }, label),
    h('td', { className: 'figure-value', 'data-testid': `figure-${name}` }, value),
    h('td', { className: 'muted' }, detail));
}

/**
 * @param {string} name
 * @param {string} label
 * @param {Durations} d
 * @returns {HTMLTableRowElement}
 */
function durationRow(name, label, d) {
  return row(name, label, t('durationValue', { p50: duration(d.p50_s), p90: duration(d.p90_s) }),
    t('durationDetail', { count: d.count, mean: duration(d.mean_s) }));
}

/**
 * @param {string[]} headings
 * @param {HTMLElement[]} rows
 * @param {string} testid
 * @returns {HTMLElement}
 */
function table(headings, rows, testid) {
  return h('div', { className: 'table-scroll' }, h('table', { className: 'dashboard-table', 'data-testid': testid },
    h('thead', {}, h('tr', {}, ...headings.map((text) => h('th', { scope: 'col' }, text)))),
    h('tbody', {}, ...rows)));
}

/**
 * @param {HTMLElement} section
 * @param {Dashboard} board
 */
export function renderFigures(section, board) {
  const totals = board.totals;
  const { assist, csat } = board;
  const rows = [
    row('conversations', t('conversations'), number(totals.conversations), t('conversationsDetail')),
    row('containment', t('containment'), percent(totals.containment_rate),
      t('containmentDetail', { count: totals.contained })),
    row('handoff-rate', t('handoffRate'), percent(totals.handoff_rate),
      t('handoffDetail', { count: totals.handed_off, assigned: totals.assigned })),
    durationRow('waiting', t('waiting'), totals.waiting),
    durationRow('first-response', t('firstResponse'), totals.first_response),
    durationRow('resolution', t('resolution'), totals.resolution),
    row('csat', t('csat'), csat.average == null ? t('none') : t('csatValue', { average: number(csat.average, 2) }),
      t('csatDetail', { rated: csat.rated, satisfied: percent(csat.satisfied_rate) })),
    row('assist', t('assist'), percent(assist.used_rate), t('assistDetail', {
      used: assist.used, count: assist.suggestions, sent: assist.sent, edited: assist.edited, tool: assist.tool,
      ignored: assist.ignored, undecided: assist.undecided })),
  ];
  section.replaceChildren(h('h2', { id: 'figures-title' }, t('figuresTitle')),
    table([t('figure'), t('value'), t('detail')], rows, 'figures-table'));
}

/**
 * @param {HTMLElement} section
 * @param {Dashboard} board
 * @param {Meta} meta for the languages' names
 */
export function renderLanguages(section, board, meta) {
  const name = (/** @type {string} */ code) => meta.languages.find((l) => l.code === code)?.name || code;
  const rows = board.languages.map((l) => h('tr', { 'data-language': l.language },
    h('th', { scope: 'row' }, name(l.language)),
    h('td', { className: 'num' }, number(l.conversations)),
    h('td', { className: 'num' }, percent(l.containment_rate)),
    h('td', { className: 'num' }, percent(l.handoff_rate)),
    h('td', { className: 'num' }, duration(l.waiting.p50_s)),
    h('td', { className: 'num' }, duration(l.first_response.p50_s)),
    h('td', { className: 'num' }, number(l.csat_average, 2))));
  section.replaceChildren(h('h2', {}, t('languagesTitle')), table(
    [t('language'), t('conversations'), t('containment'), t('handoffRate'), `${t('waiting')} p50`,
      `${t('firstResponse')} p50`, t('csat')], rows, 'languages-table'));
}

/**
 * @param {HTMLElement} section
 * @param {Dashboard} board
 */
export function renderFallbacks(section, board) {
  const intents = board.fallback_intents;
  const rows = intents.map((i) => h('tr', { 'data-intent': i.intent },
    h('th', { scope: 'row' }, h('code', {}, i.intent)),
    h('td', { className: 'num' }, number(i.fallback)),
    h('td', { className: 'num' }, number(i.low_confidence)),
    h('td', { className: 'num' }, number(i.total))));
  section.replaceChildren(h('h2', {}, t('fallbacksTitle')), intents.length
    ? table([t('intent'), t('fallback'), t('lowConfidence'), t('total')], rows, 'fallbacks-table')
    : h('p', { className: 'muted' }, t('fallbacksEmpty')));
}
