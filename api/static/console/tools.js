// @ts-check
/* The agent's tools on the customer's records (docs/protocol.md, "Agent tools"): for a conversation
   that is mine, a small form (refund, credit, cancel an order, change its address, resend an
   invoice, pause or cancel a subscription) prefilled from the handoff context, and the
   conversation's requests with their status, kept live by the `approval` frame. */

import { byId, h } from '../shared/dom.js';
import { formatMoney } from './context-records.js';
import { S, isMine, selectedConv } from './state.js';

/** @typedef {{id: string, conversation_id: string, agent_id: string, kind: string, params: Record<string, any>,
 *   customer_id: string, amount: number | null, currency: string | null, amount_usd: number | null,
 *   status: string, approver_id: string | null, decision_reason: string | null, error: string | null,
 *   created_at: string}} ToolRequest */
/** @typedef {{ok: boolean, status: number, body: any}} Answer */

/** The tools, and the fields each one uses (the server checks them again). */
export const KINDS = {
  refund: { label: 'Refund', fields: ['invoice', 'amount'] },
  credit: { label: 'Account credit', fields: ['amount', 'order'] },
  cancel_order: { label: 'Cancel order', fields: ['order'] },
  change_address: { label: 'Change address', fields: ['order', 'address'] },
  resend_invoice: { label: 'Resend invoice', fields: ['invoice'] },
  pause_subscription: { label: 'Pause subscription', fields: ['subscription', 'months'] },
  cancel_subscription: { label: 'Cancel subscription', fields: ['subscription'] },
};

/** @type {Record<string, string>} */
export const STATUS_LABELS = {
  done: 'Done', pending_approval: 'Waiting for a supervisor', declined: 'Declined', failed: 'Failed',
};

const panel = byId('tools-panel');
/** @type {Map<string, Map<string, ToolRequest>>} the requests of each conversation, by id */
const requests = new Map();
/** What the form was built for: rebuilt only when this changes, so typing is never lost. */
let shown = { id: '', mine: false, context: /** @type {any} */ (undefined) };
let base = new URL('./', window.location.href);

/**
 * An HTTP call to the app with the agent's token; never throws.
 * @param {string} path
 * @param {RequestInit} [options]
 * @returns {Promise<Answer>}
 */
export async function api(path, options = {}) {
  try {
    const response = await fetch(new URL(path, base), {
      ...options,
      headers: { Authorization: `Bearer ${S.session?.token || ''}`, 'Content-Type': 'application/json' },
    });
    const body = await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, body };
  } catch {
    return { ok: false, status: 0, body: { detail: 'Cannot reach the server.' } };
  }
}

/**
 * The server's reason for a refusal, as text.
 * @param {Answer} answer
 * @returns {string}
 */
export function refusal(answer) {
  const detail = answer.body?.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((d) => String(d.msg || '').replace(/^Value error, /, '')).join('; ');
  if (detail?.detail) return String(detail.detail);
  return `HTTP ${answer.status}`;
}

/**
 * What a request is about, in a line: "Refund 120.00 USD · INV-202600001".
 * @param {ToolRequest} r
 * @returns {string}
 */
export function describe(r) {
  const kind = /** @type {Record<string, {label: string}>} */ (KINDS)[r.kind]?.label || r.kind;
  const money = r.amount != null ? ` ${formatMoney(r.amount, r.currency || undefined)}` : '';
  const usd = r.amount_usd != null && r.currency !== 'USD' ? ` (${formatMoney(r.amount_usd, 'USD')})` : '';
  const p = r.params || {};
  const record = p.invoice_id || p.order_id || p.subscription_id || '';
  return `${kind}${money}${usd}${record ? ` · ${record}` : ''}${p.months ? ` · ${p.months} mo` : ''}`;
}

/**
 * Agent assist's "open the tool": the form set to `kind` with the suggested records and amount.
 * @param {string} kind
 * @param {Record<string, any>} prefill order_id, invoice_id, subscription_id, amount
 */
export function prefillTool(kind, prefill) {
  renderTools();
  const form = /** @type {HTMLFormElement | null} */ (panel.querySelector('form.tool-form'));
  if (!form || !(kind in KINDS)) return;
  const select = /** @type {HTMLSelectElement} */ (form.elements.namedItem('kind'));
  select.value = kind;
  select.dispatchEvent(new Event('change'));
  const fields = { order: prefill.order_id, invoice: prefill.invoice_id, subscription: prefill.subscription_id,
    amount: prefill.amount };
  for (const [name, value] of Object.entries(fields)) {
    const el = /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name));
    if (el && value != null) el.value = String(value);
  }
  const details = panel.querySelector('details');
  if (details) details.open = true;
  select.focus();
}

/** @param {URL} appBase */
export function initTools(appBase) {
  base = appBase;
}

/**
 * A request created or decided (the `approval` frame, or my own POST's answer).
 * @param {ToolRequest} request
 */
export function toolRequestArrived(request) {
  let list = requests.get(request.conversation_id);
  if (!list) requests.set(request.conversation_id, (list = new Map()));
  list.set(request.id, request);
  if (request.conversation_id === S.selectedId) renderRequests();
}

/** Shows the tools of the conversation on screen (only when it is mine); cheap to call often. */
export function renderTools() {
  const conv = selectedConv();
  const mine = Boolean(conv && isMine(conv.summary));
  panel.hidden = !conv || !mine;
  if (!conv || !mine) {
    shown = { id: '', mine: false, context: undefined };
    return;
  }
  if (shown.id === conv.id && shown.mine === mine && shown.context === conv.context) {
    renderRequests();
    return;
  }
  const first = shown.id !== conv.id;
  shown = { id: conv.id, mine, context: conv.context };
  panel.replaceChildren(h('details', { open: true },
    h('summary', {}, 'Tools'), buildForm(conv.context || {}),
    h('ul', { className: 'tool-requests', id: 'tool-requests', 'data-testid': 'tool-requests' })));
  renderRequests();
  if (first) load(conv.id);
}

/** @param {string} id */
async function load(id) {
  const answer = await api(`api/agent/conversations/${encodeURIComponent(id)}/tools`);
  if (answer.ok) for (const r of answer.body) toolRequestArrived(r);
}

function renderRequests() {
  const list = document.getElementById('tool-requests');
  if (!list || !S.selectedId) return;
  const items = [...(requests.get(S.selectedId)?.values() || [])];
  list.replaceChildren(...items.map((r) => h('li', {
    className: 'tool-request', 'data-testid': 'tool-request', 'data-status': r.status, 'data-request-id': r.id,
  },
  h('span', { className: `badge ${statusClass(r.status)}` }, STATUS_LABELS[r.status] || r.status), ' ',
  describe(r),
  r.decision_reason ? h('div', { className: 'muted', dir: 'auto' }, `${r.approver_id || ''}: ${r.decision_reason}`) : null,
  r.error ? h('div', { className: 'form-error' }, r.error) : null)));
}

/** @type {Record<string, string>} */
const STATUS_CLASSES = {
  done: 'badge-success', pending_approval: 'badge-warning', declined: 'badge-danger', failed: 'badge-danger',
};

/** @param {string} status */
export function statusClass(status) {
  return STATUS_CLASSES[status] || '';
}

/**
 * An input with the context's records as suggestions.
 * @param {string} name
 * @param {string} label
 * @param {{value: string, text: string}[]} options
 * @param {string} [value] prefilled
 */
function recordField(name, label, options, value = '') {
  const listId = `tool-${name}-options`;
  return h('label', { className: 'tool-field', 'data-field': name }, label,
    h('input', { name, list: listId, value, maxlength: 32, 'data-testid': `tool-${name}`, autocomplete: 'off' }),
    h('datalist', { id: listId }, options.map((o) => h('option', { value: o.value }, o.text))));
}

/** @param {any} c the handoff context */
function buildForm(c) {
  const orders = (c.orders || []).map((/** @type {any} */ o) => ({
    value: o.order_id, text: `${o.status} · ${formatMoney(o.total, o.currency)}` }));
  const invoices = (c.invoices || []).map((/** @type {any} */ i) => ({
    value: i.invoice_id, text: `${i.order_id} · ${i.status} · ${formatMoney(i.total, i.currency)}` }));
  const subs = (c.subscriptions || []).map((/** @type {any} */ s) => ({
    value: s.subscription_id, text: `${s.plan || ''} · ${s.status}` }));
  // Prefilled where it is obvious: the record the problem is about, or the only one there is.
  const only = (/** @type {{value: string}[]} */ list) => (list.length === 1 ? list[0].value : '');
  const currency = c.customer?.currency || '';
  const kind = h('select', { name: 'kind', 'data-testid': 'tool-kind' },
    Object.entries(KINDS).map(([value, k]) => h('option', { value }, k.label)));
  const error = h('p', { className: 'form-error', role: 'alert', 'data-testid': 'tool-error' });
  const form = h('form', { className: 'tool-form', autocomplete: 'off' },
    h('label', { className: 'tool-field' }, 'Tool', kind),
    recordField('invoice', 'Invoice', invoices, c.problem?.invoice_id || only(invoices)),
    recordField('order', 'Order', orders, c.problem?.order_id || only(orders)),
    recordField('subscription', 'Subscription', subs, only(subs)),
    h('label', { className: 'tool-field', 'data-field': 'amount' }, `Amount${currency ? ` (${currency})` : ''}`,
      h('input', { name: 'amount', type: 'number', min: '0.01', step: '0.01', 'data-testid': 'tool-amount' })),
    h('label', { className: 'tool-field', 'data-field': 'address' }, 'New address',
      h('input', { name: 'address', maxlength: 300, dir: 'auto', 'data-testid': 'tool-address' })),
    h('label', { className: 'tool-field', 'data-field': 'months' }, 'Months',
      h('input', { name: 'months', type: 'number', min: '1', max: '12', value: '1', 'data-testid': 'tool-months' })),
    h('label', { className: 'tool-field tool-note' }, 'Note',
      h('input', { name: 'note', maxlength: 500, dir: 'auto', 'data-testid': 'tool-note' })),
    h('button', { type: 'submit', className: 'btn btn-primary btn-small', 'data-testid': 'tool-submit' }, 'Apply'),
    error);
  const fit = () => {
    const fields = /** @type {Record<string, {fields: string[]}>} */ (KINDS)[kind.value].fields;
    for (const el of form.querySelectorAll('[data-field]')) {
      /** @type {HTMLElement} */ (el).hidden = !fields.includes(/** @type {HTMLElement} */ (el).dataset.field || '');
    }
  };
  kind.addEventListener('change', () => { error.textContent = ''; fit(); });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(form, kind.value, error);
  });
  fit();
  return form;
}

/**
 * @param {HTMLFormElement} form
 * @param {string} kind
 * @param {HTMLElement} error
 */
async function submit(form, kind, error) {
  const conv = selectedConv();
  if (!conv) return;
  const data = new FormData(form);
  const value = (/** @type {string} */ name) => String(data.get(name) || '').trim();
  const fields = /** @type {Record<string, {fields: string[]}>} */ (KINDS)[kind].fields;
  /** @type {Record<string, unknown>} */
  const body = { kind, note: value('note') || undefined };
  if (fields.includes('amount')) body.amount = Number(value('amount')) || undefined;
  if (fields.includes('months')) body.months = Number(value('months')) || undefined;
  if (fields.includes('address')) body.address = value('address') || undefined;
  for (const [field, key] of [['order', 'order_id'], ['invoice', 'invoice_id'], ['subscription', 'subscription_id']]) {
    if (fields.includes(field) && value(field)) body[key] = value(field);
  }
  const button = /** @type {HTMLButtonElement} */ (form.querySelector('[data-testid="tool-submit"]'));
  button.disabled = true;
  error.textContent = '';
  const answer = await api(`api/agent/conversations/${encodeURIComponent(conv.id)}/tools`, {
    method: 'POST', body: JSON.stringify(body),
  });
  button.disabled = false;
  if (!answer.ok) {
    error.textContent = refusal(answer);
    return;
  }
  toolRequestArrived(answer.body);
  for (const name of ['amount', 'note', 'address']) {
    const input = /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name));
    if (input) input.value = '';
  }
}
