// @ts-check
/* The customer's records in the context panel: the problem the handoff is about, invoices,
   subscriptions and earlier conversations (docs/protocol.md, "Handoff context"). */

import { h } from '../shared/dom.js';
import { parseTime } from '../shared/time.js';
import { reasonLabel } from './state.js';
import { hasText, t } from './strings.js';

/**
 * @param {unknown} amount
 * @param {string | undefined} currency
 */
export function formatMoney(amount, currency) {
  const number = Number(amount);
  if (amount == null || Number.isNaN(number)) return `${amount ?? ''} ${currency ?? ''}`.trim();
  const text = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(number);
  return currency ? `${text} ${currency}` : text;
}

/** @param {string | null | undefined} iso */
function formatDate(iso) {
  const ms = parseTime(iso);
  return Number.isNaN(ms) ? '—' : new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/**
 * A table with a header row; `rows` are <tr> elements.
 * @param {string} testid
 * @param {string[]} columns string keys
 * @param {HTMLTableRowElement[]} rows
 */
function table(testid, columns, rows) {
  return h('table', { className: 'orders', 'data-testid': testid },
    h('thead', {}, h('tr', {}, columns.map((k) => h('th', {}, t(k))))),
    h('tbody', {}, rows));
}

/**
 * @param {string} testid
 * @param {string} key
 */
const none = (testid, key) => h('p', { className: 'muted', 'data-testid': testid }, t(key));

/**
 * The problem sub-reason (damaged, missing, dispute...) and what it concerns, as a badge.
 * @param {any} problem {kind, order_id, invoice_id} or null
 */
export function problemBlock(problem) {
  if (!problem) return null;
  const about = [
    problem.order_id ? t('problemOrder', { id: problem.order_id }) : null,
    problem.invoice_id ? t('problemInvoice', { id: problem.invoice_id }) : null,
  ].flatMap((text) => (text ? [text] : [])).flatMap((text, i) => [i ? ' · ' : '', h('span', { className: 'ref' }, text)]);
  return h('p', { className: 'context-problem', 'data-testid': 'context-problem', 'data-kind': problem.kind,
    'data-order-id': problem.order_id, 'data-invoice-id': problem.invoice_id },
  h('span', { className: 'badge badge-danger' }, reasonLabel(problem.kind)),
  ' ', about.length ? about : t('problemUnknownOrder'));
}

/**
 * @param {any[]} invoices
 * @param {string | null | undefined} problemInvoice the invoice the problem concerns
 */
export function invoicesBlock(invoices, problemInvoice) {
  if (!invoices.length) return none('context-invoices', 'noInvoices');
  return table('context-invoices', ['colInvoice', 'colOrder', 'colAmount', 'colStatus'],
    invoices.map((i) => h('tr', {
      'data-invoice-id': i.invoice_id,
      className: i.invoice_id === problemInvoice ? 'record-highlighted' : null,
      'data-testid': i.invoice_id === problemInvoice ? 'invoice-highlighted' : null,
    },
    h('td', {}, i.invoice_id),
    h('td', {}, i.order_id || '—'),
    h('td', { className: 'num' }, formatMoney(i.total, i.currency)),
    h('td', {}, i.status || '—',
      i.anomaly ? [' ', h('span', { className: 'badge badge-danger', 'data-testid': 'invoice-anomaly' },
        hasText(`anomaly_${i.anomaly}`) ? t(`anomaly_${i.anomaly}`) : i.anomaly)] : null,
      i.refund ? [' ', h('span', { className: 'badge' }, t('refund', { status: i.refund.status || '' }))] : null))));
}

/** @param {any[]} subscriptions */
export function subscriptionsBlock(subscriptions) {
  if (!subscriptions.length) return none('context-subscriptions', 'noSubscriptions');
  return table('context-subscriptions', ['colSubscription', 'colPlan', 'colStatus', 'colNextBilling'],
    subscriptions.map((s) => h('tr', { 'data-subscription-id': s.subscription_id },
      h('td', {}, s.subscription_id),
      h('td', { dir: 'auto' }, s.plan || '—', s.price != null ? h('div', { className: 'muted' },
        `${formatMoney(s.price, s.currency)}${s.billing ? ` / ${s.billing}` : ''}`) : null),
      h('td', {}, s.status || '—'),
      h('td', {}, nextBilling(s)))));
}

/**
 * The next renewal; a cancelled subscription bills no more, it only runs until its end.
 * @param {any} s
 */
function nextBilling(s) {
  if (s.status === 'cancelled') return s.ends_on ? t('endsOn', { date: s.ends_on }) : '—';
  return s.next_renewal || '—';
}

/**
 * How an earlier conversation ended: the agent's resolution, else its state.
 * @param {any} c
 */
function outcome(c) {
  if (c.resolution) return hasText(`outcome_${c.resolution}`) ? t(`outcome_${c.resolution}`) : c.resolution;
  return c.state === 'closed' ? t('outcomeClosed') : t('outcomeOpen', { state: c.state || '?' });
}

/** @param {unknown} score */
function csat(score) {
  const n = Math.max(0, Math.min(5, Math.round(Number(score))));
  if (score == null || Number.isNaN(n)) return h('span', { className: 'muted', 'data-testid': 'csat' }, t('notRated'));
  return h('span', { className: 'csat-stars', title: t('csatTitle', { n }), 'aria-label': t('csatTitle', { n }),
    'data-testid': 'csat', 'data-score': n }, '★'.repeat(n) + '☆'.repeat(5 - n));
}

/** @param {any[]} conversations newest first */
export function historyBlock(conversations) {
  if (!conversations.length) return none('context-history', 'noHistory');
  return h('ol', { className: 'history', 'data-testid': 'context-history' }, conversations.map((c) => h('li', {
    'data-conversation-id': c.conversation_id, 'data-resolution': c.resolution,
  },
  h('div', { className: 'history-head' }, h('span', { className: 'muted' }, formatDate(c.created_at)), ' ',
    h('strong', {}, c.reason ? reasonLabel(c.reason) : t('historyBotOnly'))),
  h('div', {}, h('span', { className: 'badge', 'data-testid': 'history-outcome' }, outcome(c)), ' ', csat(c.csat_score)),
  c.csat_comment ? h('div', { className: 'context-note', dir: 'auto' }, `“${c.csat_comment}”`) : null)));
}
