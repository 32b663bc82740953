// @ts-check
/* The promotion history, newest first (GET /promotions): each promotion and rollback, which model,
   who asked, when it started, went live and was replaced, and why it failed if it did. The first row
   of a deployment is the model it started with, asked for by nobody. */

import { h } from '../shared/dom.js';
import { modelName } from './models-util.js';
import { formatWhen, labelOr } from './review-item.js';
import { t } from './strings.js';

/** @typedef {import('./models-api.js').Promotion} Promotion */

const STATUS_BADGE = /** @type {Record<string, string>} */ ({
  starting: 'badge badge-warning', live: 'badge badge-success', failed: 'badge badge-danger',
});

/**
 * @param {string} status
 * @returns {HTMLSpanElement}
 */
export function promotionBadge(status) {
  return h('span', { className: STATUS_BADGE[status] || 'badge', 'data-testid': 'promotion-status' },
    labelOr(`promotion_${status}`, status));
}

/**
 * @param {Promotion} promotion
 * @returns {string} promotion, rollback, or the model the deployment started with
 */
export function promotionKind(promotion) {
  if (promotion.rollback) return t('modelsKindRollback');
  return promotion.requested_by ? t('modelsKindPromotion') : t('modelsKindStart');
}

/** @param {string | null} iso @returns {HTMLTableCellElement} */
const when = (iso) => h('td', {}, iso ? h('time', { datetime: iso }, formatWhen(iso)) : '');

/**
 * The history table, or a line saying there is none yet.
 * @param {Promotion[]} promotions newest first
 * @returns {HTMLElement}
 */
export function historyTable(promotions) {
  if (!promotions.length) return h('p', { className: 'muted models-empty', 'data-testid': 'promotions-empty' }, t('modelsNoPromotions'));
  const head = [t('modelsHistoryModel'), t('modelsHistoryKind'), t('modelsHistoryStatus'), t('modelsHistoryBy'),
    t('modelsHistoryStarted'), t('modelsHistoryLive'), t('modelsHistoryReplaced')];
  return h('div', { className: 'table-scroll' },
    h('table', { className: 'models-table models-history', 'data-testid': 'promotions-table' },
      h('thead', {}, h('tr', {}, head.map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, promotions.map(historyRow))));
}

/**
 * @param {Promotion} promotion
 * @returns {HTMLTableRowElement}
 */
function historyRow(promotion) {
  const failed = promotion.status === 'failed';
  return h('tr', {
    'data-testid': 'promotion-row', 'data-promotion-id': promotion.id, 'data-model-id': promotion.model_id,
    'data-status': promotion.status, 'data-rollback': String(promotion.rollback),
  },
    h('td', { 'data-testid': 'promotion-model' }, modelName(promotion.model_id)),
    h('td', { 'data-testid': 'promotion-kind' }, promotionKind(promotion)),
    h('td', {}, promotionBadge(promotion.status),
      failed && promotion.error && h('span', { className: 'models-error', 'data-testid': 'promotion-error' },
        promotion.error)),
    h('td', { 'data-testid': 'promotion-by' }, promotion.requested_by || t('modelsByDeployment')),
    when(promotion.started_at),
    when(promotion.live_at),
    // A failed promotion's end is stored as replaced_at too, but nothing was replaced.
    when(failed ? null : promotion.replaced_at));
}
