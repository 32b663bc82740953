// @ts-check
/* A model's comparison with the model live when it was trained (bot/compare_models.py), in short: the
   verdict as a badge, the changes that decided it (`reasons`, the server's own sentences), and macro
   F1 live against new per held-out set and language. The full figures (F1 per intent, confusions) stay
   in the API's `metrics`. */

import { h } from '../shared/dom.js';
import { labelOr } from './review-item.js';
import { t } from './strings.js';

/** @typedef {import('./models-api.js').ModelMetrics} ModelMetrics */
/** @typedef {import('./models-api.js').SetComparison} SetComparison */

const VERDICT_BADGE = /** @type {Record<string, string>} */ ({
  better: 'badge badge-success', worse: 'badge badge-danger', mixed: 'badge badge-warning',
});
// The comparison's own tolerance when it does not say (bot/compare_models.py, TOLERANCE).
const TOLERANCE = 0.01;

/**
 * @param {string | null} verdict better, worse, mixed; null when no comparison was made
 * @returns {HTMLSpanElement}
 */
export function verdictBadge(verdict) {
  return h('span', {
    className: verdict ? VERDICT_BADGE[verdict] || 'badge' : 'badge', 'data-testid': 'model-verdict',
    'data-verdict': verdict || 'none',
  }, verdict ? labelOr(`verdict_${verdict}`, verdict) : t('modelsNotCompared'));
}

/** @param {number | null | undefined} value @returns {string} */
const f1 = (value) => (value == null ? '–' : value.toFixed(3));

/**
 * @param {number | null | undefined} delta
 * @param {number} tolerance
 * @returns {HTMLTableCellElement}
 */
function deltaCell(delta, tolerance) {
  const moved = delta == null || Math.abs(delta) <= tolerance ? 'flat' : delta > 0 ? 'up' : 'down';
  const text = delta == null ? '–' : `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${Math.abs(delta).toFixed(3)}`;
  return h('td', { className: `num models-delta models-delta-${moved}`, 'data-testid': 'model-f1-delta' }, text);
}

/**
 * @param {ModelMetrics | null} metrics
 * @param {(code: string) => string} languageName
 * @returns {HTMLElement}
 */
export function metricsSummary(metrics, languageName) {
  if (!metrics) {
    return h('p', { className: 'muted models-metrics', 'data-testid': 'model-metrics' }, t('modelsNoComparison'));
  }
  const tolerance = typeof metrics.tolerance === 'number' ? metrics.tolerance : TOLERANCE;
  const rows = Object.entries(metrics.sets || {}).flatMap(([set, byLanguage]) => Object.entries(byLanguage)
    .map(([language, result]) => setRow(set, language, result, tolerance, languageName)));
  const against = metrics.live ? t('modelsComparedWith', { live: metrics.live }) : '';
  return h('div', { className: 'models-metrics', 'data-testid': 'model-metrics' },
    against && h('p', { className: 'muted models-against' }, against,
      metrics.limit ? ` ${t('modelsLimit', { limit: metrics.limit })}` : ''),
    h('ul', { className: 'models-reasons', 'data-testid': 'model-reasons' },
      (metrics.reasons || []).map((reason) => h('li', { 'data-testid': 'model-reason' }, reason))),
    rows.length > 0 && h('details', { className: 'models-f1', open: true },
      h('summary', {}, t('modelsF1Title')),
      h('div', { className: 'table-scroll' },
        h('table', { className: 'models-table', 'data-testid': 'model-f1-table' },
          h('thead', {}, h('tr', {},
            [t('modelsSet'), t('modelsLanguage'), t('modelsMessages'), t('modelsF1Live'), t('modelsF1New'),
              t('modelsF1Change')].map((label, i) => h('th', { scope: 'col', className: i > 1 ? 'num' : null }, label)))),
          h('tbody', {}, rows)))));
}

/**
 * @param {string} set
 * @param {string} language
 * @param {SetComparison} result
 * @param {number} tolerance
 * @param {(code: string) => string} languageName
 * @returns {HTMLTableRowElement}
 */
function setRow(set, language, result, tolerance, languageName) {
  const score = result.macro_f1 || { live: null, new: null, delta: null };
  return h('tr', { 'data-testid': 'model-f1', 'data-set': set, 'data-language': language },
    h('td', {}, labelOr(`set_${set}`, set)),
    h('td', { title: language, lang: language }, languageName(language)),
    h('td', { className: 'num' }, result.examples ?? ''),
    h('td', { className: 'num', 'data-testid': 'model-f1-live' }, f1(score.live)),
    h('td', { className: 'num', 'data-testid': 'model-f1-new' }, f1(score.new)),
    deltaCell(score.delta, tolerance));
}
