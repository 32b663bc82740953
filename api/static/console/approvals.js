// @ts-check
/* A supervisor's approvals (docs/protocol.md, "Agent tools"): refunds and credits above the agents'
   authority, waiting for a decision. Loaded over HTTP when the socket says hello, then kept live by
   the `approval` frame; Approve applies it, Decline needs a reason. Nobody decides on their own. */

import { byId, displayName, h } from '../shared/dom.js';
import { formatTime } from '../shared/time.js';
import { S } from './state.js';
import { api, describe, refusal } from './tools.js';

/** @typedef {import('./tools.js').ToolRequest} ToolRequest */

const ui = {
  section: byId('approvals-section'),
  list: byId('approvals-list'),
  count: byId('approvals-count'),
};

/** @type {Map<string, ToolRequest>} pending requests, by id */
const pending = new Map();
/** @type {Map<string, string>} a refusal shown under a request, by id */
const problems = new Map();
/** An approval the shop then refused (the records changed while it waited), shown above the list. */
let lastFailure = '';
let supervisor = false;
/** @type {(id: string) => void} */
let open = () => {};

/** @param {(conversationId: string) => void} openConversation */
export function initApprovals(openConversation) {
  open = openConversation;
}

/**
 * After every `hello`: supervisors see the list, loaded afresh (nothing is missed while offline).
 * @param {{role?: string} | null | undefined} agent the hello frame's agent
 */
export async function startApprovals(agent) {
  supervisor = agent?.role === 'supervisor';
  ui.section.hidden = !supervisor;
  if (!supervisor) return;
  const answer = await api('api/agent/approvals');
  if (!answer.ok) return;
  pending.clear();
  for (const r of answer.body) pending.set(r.id, r);
  render();
}

/** Signed out: forget everything. */
export function stopApprovals() {
  supervisor = false;
  pending.clear();
  problems.clear();
  lastFailure = '';
  ui.section.hidden = true;
  ui.list.replaceChildren();
}

/**
 * A request was created, decided or applied (the `approval` frame).
 * @param {ToolRequest} request
 */
export function approvalArrived(request) {
  if (!supervisor) return;
  if (request.status === 'pending_approval') pending.set(request.id, request);
  else pending.delete(request.id);
  render();
}

function render() {
  ui.count.textContent = pending.size ? `(${pending.size})` : '';
  const items = [...pending.values()].sort((a, b) => a.created_at.localeCompare(b.created_at));
  const failure = lastFailure ? h('li', { className: 'form-error approval-failure', role: 'alert' }, lastFailure) : null;
  ui.list.replaceChildren(...[failure, ...(items.length ? items.map(item)
    : [h('li', { className: 'queue-empty' }, 'Nothing to approve.')])].flatMap((el) => (el ? [el] : [])));
}

/** @param {ToolRequest} r */
function item(r) {
  const own = r.agent_id === S.session?.agent_id;
  const reason = h('input', { className: 'decline-reason', maxlength: 500, dir: 'auto', placeholder: 'Reason',
    'aria-label': 'Reason', 'data-testid': 'decline-reason' });
  const approve = h('button', { type: 'button', className: 'btn btn-primary btn-small', disabled: own,
    'data-testid': 'approve-button', title: own ? 'Your own request' : null }, 'Approve');
  const decline = h('button', { type: 'button', className: 'btn btn-danger btn-small', disabled: own,
    'data-testid': 'decline-button', title: own ? 'Your own request' : null }, 'Decline');
  approve.addEventListener('click', () => decide(r.id, true, reason.value.trim()));
  decline.addEventListener('click', () => {
    if (!reason.value.trim()) {
      problems.set(r.id, 'A reason is needed to decline.');
      render();
      return;
    }
    decide(r.id, false, reason.value.trim());
  });
  const problem = problems.get(r.id);
  return h('li', { className: 'approval-item', 'data-testid': 'approval-item', 'data-request-id': r.id },
    h('div', { className: 'approval-what' }, describe(r)),
    h('div', { className: 'muted' }, `${displayName(r.agent_id)} · ${r.customer_id} · ${formatTime(r.created_at)} · `,
      h('button', { type: 'button', className: 'link-button', onclick: () => open(r.conversation_id) },
        r.conversation_id.slice(0, 8))),
    r.params?.note ? h('div', { className: 'context-note', dir: 'auto' }, r.params.note) : null,
    h('div', { className: 'approval-actions' }, reason, approve, decline),
    problem ? h('p', { className: 'form-error', role: 'alert' }, problem) : null);
}

/**
 * @param {string} id
 * @param {boolean} approve
 * @param {string} reason
 */
async function decide(id, approve, reason) {
  problems.delete(id);
  for (const button of ui.list.querySelectorAll(`[data-request-id="${CSS.escape(id)}"] button`)) {
    /** @type {HTMLButtonElement} */ (button).disabled = true;
  }
  const answer = await api(`api/agent/approvals/${encodeURIComponent(id)}/decision`, {
    method: 'POST', body: JSON.stringify({ approve, reason: reason || null }),
  });
  lastFailure = '';
  if (answer.ok || answer.status === 409 || answer.status === 404) {
    pending.delete(id); // decided (by me, or by someone else first)
    if (answer.body?.status === 'failed') lastFailure = `Approved, but not applied: ${answer.body.error || ''}`;
  } else {
    problems.set(id, refusal(answer));
  }
  render();
}
