// @ts-check
/* The handoff context beside the conversation: why the bot handed off (and the problem and order it
   concerns), the customer, their orders, invoices, subscriptions and earlier conversations, the slots
   and the transcript as the bot understood it (docs/protocol.md, "Handoff context"). */

import { byId, h } from '../shared/dom.js';
import { formatTime } from '../shared/time.js';
import { formatMoney, historyBlock, invoicesBlock, problemBlock, subscriptionsBlock } from './context-records.js';
import { languageLabel, reasonLabel } from './state.js';
import { t } from './strings.js';

const panel = byId('context-panel');

/** @param {unknown} x */
const percent = (x) => `${Math.round((Number(x) || 0) * 100)}%`;

/**
 * @param {unknown} value
 * @returns {string}
 */
const slotValue = (value) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * @param {string} title
 * @param {...(Node | null)} children
 */
function section(title, ...children) {
  return h('section', {}, h('h3', {}, title), ...children);
}

/** @param {[string, unknown][]} pairs */
function keyValues(pairs) {
  return h('dl', { className: 'kv' }, pairs.flatMap(([k, v]) => [
    h('dt', {}, k), h('dd', { dir: 'auto' }, v == null ? '—' : String(v))]));
}

/**
 * Shows a conversation's context (undefined: still loading; null: there is none).
 * @param {any} c
 */
export function renderContext(c) {
  if (c === undefined) {
    panel.replaceChildren(h('p', { className: 'muted' }, t('contextLoading')));
    return;
  }
  if (c === null) {
    panel.replaceChildren(h('p', { className: 'muted' }, t('contextNone')));
    return;
  }
  const sections = [
    section(t('sectionHandoff'),
      h('div', { className: 'context-reason', 'data-testid': 'context-reason' },
        reasonLabel(c.reason), ' ', h('code', {}, c.reason || '')),
      problemBlock(c.problem),
      c.note ? h('p', { className: 'context-note', dir: 'auto', 'data-testid': 'context-note' }, c.note) : null),
    c.transfer ? section(t('sectionTransfer'), h('p', { className: 'context-note', dir: 'auto',
      'data-testid': 'transfer-note' }, `${c.transfer.from_agent_id}: ${c.transfer.note || '—'}`)) : null,
    section(t('sectionLanguage'), h('div', {}, languageLabel(c.language))),
    section(t('sectionCustomer'), customerBlock(c)),
    section(t('sectionOrders'), ordersBlock(c.orders || [], c.problem?.order_id)),
    // Contexts captured before these keys existed have none of them: no empty sections for those.
    Array.isArray(c.invoices) ? section(t('sectionInvoices'), invoicesBlock(c.invoices, c.problem?.invoice_id)) : null,
    Array.isArray(c.subscriptions) ? section(t('sectionSubscriptions'), subscriptionsBlock(c.subscriptions)) : null,
    Array.isArray(c.earlier_conversations)
      ? section(t('sectionHistory'), historyBlock(c.earlier_conversations)) : null,
    section(t('sectionSlots'), slotsBlock(c.slots || {})),
    section(t('sectionTranscript'), transcriptBlock(c.transcript || [])),
  ];
  // replaceChildren would show a null as the text "null".
  panel.replaceChildren(...sections.flatMap((s) => (s ? [s] : [])));
}

/** @param {any} c */
function customerBlock(c) {
  const verified = c.customer_verified
    ? h('span', { className: 'badge badge-success', 'data-testid': 'customer-verified' }, t('verified'))
    : h('span', { className: 'badge badge-warning', 'data-testid': 'customer-verified' }, t('notVerified'));
  if (!c.customer) return h('div', {}, h('p', { className: 'muted' }, t('unknownCustomer')), verified);
  const cu = c.customer;
  return h('div', {},
    h('p', {}, verified),
    keyValues([
      [t('fieldName'), cu.name], [t('fieldCustomer'), cu.customer_id], [t('fieldEmail'), cu.email],
      [t('fieldPhone'), cu.phone], [t('fieldTier'), cu.tier],
    ]));
}

/**
 * @param {any[]} orders
 * @param {string | null | undefined} problemOrder the order the problem concerns (highlighted)
 */
function ordersBlock(orders, problemOrder) {
  if (!orders.length) return h('p', { className: 'muted' }, t('noOrders'));
  return h('table', { className: 'orders', 'data-testid': 'orders' },
    h('thead', {}, h('tr', {}, ...['colOrder', 'colStatus', 'colTotal', 'colPlaced'].map((k) => h('th', {}, t(k))))),
    h('tbody', {}, orders.map((o) => h('tr', {
      'data-order-id': o.order_id,
      className: o.order_id === problemOrder ? 'record-highlighted' : null,
      'data-testid': o.order_id === problemOrder ? 'order-highlighted' : null,
    },
      h('td', {}, o.order_id),
      h('td', {}, o.status, o.late ? [' ', h('span', { className: 'badge badge-danger' }, t('late'))] : null),
      h('td', { className: 'num' }, formatMoney(o.total, o.currency)),
      h('td', {}, o.placed_on || '—')))));
}

/** @param {Record<string, unknown>} slots */
function slotsBlock(slots) {
  const entries = Object.entries(slots);
  if (!entries.length) return h('p', { className: 'muted' }, t('noSlots'));
  return keyValues(entries.map(([k, v]) => [k, slotValue(v)]));
}

/** @param {any} nlu */
function nluBlock(nlu) {
  const ranking = (nlu.ranking || []).slice(0, 3)
    .map((/** @type {any} */ r, /** @type {number} */ i) => `${i + 1}. ${r.intent} — ${percent(r.confidence)}`).join('\n');
  const confident = Number(nlu.confidence) >= 0.6;
  return h('div', { className: 'nlu', title: ranking ? t('topIntents', { ranking }) : null, 'data-testid': 'nlu' },
    h('span', { className: `badge ${confident ? 'badge-accent' : 'badge-warning'}` },
      `${nlu.intent || '?'} · ${percent(nlu.confidence)}`),
    (nlu.entities || []).map((/** @type {any} */ e) => h('span', { className: 'badge', dir: 'auto' },
      `${e.entity}=${slotValue(e.value)}`)));
}

/**
 * @param {string} sender
 * @returns {string}
 */
function senderLabel(sender) {
  /** @type {Record<string, string>} */
  const labels = { customer: t('senderCustomer'), bot: t('senderBot'), system: t('senderSystem'), agent: t('agent') };
  return labels[sender] || sender;
}

/** @param {any[]} transcript */
function transcriptBlock(transcript) {
  if (!transcript.length) return h('p', { className: 'muted' }, t('emptyTranscript'));
  return h('ol', { className: 'transcript', 'data-testid': 'transcript' }, transcript.map((entry) => h('li', {
    'data-sender': entry.sender, 'data-seq': entry.seq,
  },
  h('div', { className: 't-sender' }, `#${entry.seq} ${senderLabel(entry.sender)} · ${formatTime(entry.created_at)}`),
  h('div', { className: 't-text', dir: 'auto' }, entry.text),
  entry.nlu ? nluBlock(entry.nlu) : null)));
}
