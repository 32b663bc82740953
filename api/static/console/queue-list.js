// @ts-check
/* The queue pane: waiting conversations (with a Claim button), mine, and other agents'. */

import { byId, displayName, h } from '../shared/dom.js';
import { parseTime } from '../shared/time.js';
import { renderTitle } from './alerts.js';
import { S, isMine, languageLabel, reasonLabel } from './state.js';
import { t } from './strings.js';

/** @typedef {import('./state.js').Summary} Summary */
/** @typedef {{select: (id: string) => void, claim: (id: string) => void}} QueueActions */

const WAITED_REFRESH_MS = 30_000;

const ui = {
  waiting: byId('queue-waiting'),
  tickets: byId('queue-tickets'),
  mine: byId('queue-mine'),
  others: byId('queue-others'),
  waitingCount: byId('queued-count'),
  ticketsCount: byId('tickets-count'),
  mineCount: byId('mine-count'),
  othersCount: byId('others-count'),
};

/** @type {QueueActions} */
let actions = { select: () => {}, claim: () => {} };

/**
 * @param {QueueActions} queueActions what a row's buttons do
 */
export function initQueueList(queueActions) {
  actions = queueActions;
  setInterval(tickWaited, WAITED_REFRESH_MS);
}

/**
 * "waiting 3 min"
 * @param {string | null | undefined} iso when the conversation was queued
 * @returns {string}
 */
export function waitedText(iso) {
  const ms = parseTime(iso);
  if (Number.isNaN(ms)) return '';
  const seconds = Math.max(0, Math.floor((Date.now() - ms) / 1000));
  if (seconds < 60) return t('waitedUnderMinute');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t('waitedMinutes', { n: minutes });
  return t('waitedHours', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/**
 * @param {Summary} a
 * @param {Summary} b
 */
const byQueuedAt = (a, b) => (parseTime(a.queued_at) || 0) - (parseTime(b.queued_at) || 0);

/** Redraws the three lists from S.queue, and the unread count in the tab title. */
export function renderQueue() {
  renderTitle();
  const all = [...S.queue.values()].sort(byQueuedAt);
  fill(ui.waiting, ui.waitingCount, all.filter((c) => c.state === 'queued'), t('waitingNone'));
  // Left outside the team's hours, answered when someone gets to them (not routed).
  fill(ui.tickets, ui.ticketsCount, all.filter((c) => c.state === 'ticket'), t('ticketsNone'));
  fill(ui.mine, ui.mineCount, all.filter(isMine), t('mineNone'));
  fill(ui.others, ui.othersCount, all.filter((c) => c.state === 'assigned' && !isMine(c)), t('othersNone'));
}

/**
 * @param {HTMLElement} list
 * @param {HTMLElement} counter
 * @param {Summary[]} summaries
 * @param {string} emptyText
 */
function fill(list, counter, summaries, emptyText) {
  counter.textContent = summaries.length ? `(${summaries.length})` : '';
  list.replaceChildren(...(summaries.length
    ? summaries.map(row)
    : [h('li', { className: 'queue-empty' }, emptyText)]));
}

/**
 * @param {Summary} summary
 * @returns {HTMLLIElement}
 */
function row(summary) {
  const queued = summary.state === 'queued';
  const ticket = summary.state === 'ticket';
  const mine = isMine(summary);
  const unread = S.unread.get(summary.id) || 0;
  const presence = summary.customer_presence || 'gone';
  const classes = ['queue-item'];
  if (unread) classes.push('has-unread');
  if (summary.id === S.selectedId) classes.push('selected');
  if (!queued && !ticket && !mine) classes.push('other');

  let detail;
  if (queued) {
    detail = h('span', { className: 'waited', 'data-testid': 'waited', 'data-queued-at': summary.queued_at },
      waitedText(summary.queued_at));
  } else if (ticket) detail = summary.contact_email || t('ticketRow');
  else if (mine) detail = t('assignedToYouRow');
  else detail = t('withAgent', { agent: displayName(summary.assigned_agent_id, t('agent')) });

  const reason = reasonLabel(summary.handoff_reason);
  const open = h('button', {
    type: 'button', className: 'queue-open', title: t('openConversation', { id: summary.id }),
    onclick: () => actions.select(summary.id),
  },
  h('div', { className: 'row-main' },
    h('span', { className: 'reason', title: reason }, reason),
    h('span', { className: 'badge', title: languageLabel(summary.locale) }, (summary.locale || '?').toUpperCase()),
    unread ? h('span', {
      className: 'unread', 'data-testid': 'unread-badge', title: t('unread', { n: unread }),
      'aria-label': t('unread', { n: unread }),
    }, String(unread)) : null),
  h('div', { className: 'row-sub' },
    h('span', {
      className: `presence-dot ${presence}`, 'data-testid': 'presence-dot', 'data-presence': presence,
      title: t(`customer_${presence}`), 'aria-label': t(`customer_${presence}`),
    }),
    summary.customer_id || t('guest'), ' · ',
    h('code', { className: 'reason-code' }, summary.handoff_reason || '—'), ' · ', detail));

  const li = h('li', {
    className: classes.join(' '), 'data-testid': 'queue-item', 'data-conversation-id': summary.id,
    'data-state': summary.state, 'data-unread': unread,
  }, open);
  if (queued || ticket) {
    const busy = S.claiming.has(summary.id);
    li.append(h('button', {
      type: 'button', className: 'btn btn-primary btn-small', 'data-testid': 'claim-button', disabled: busy,
      onclick: () => actions.claim(summary.id),
    }, busy ? t('claiming') : t('claim')));
  }
  return li;
}

function tickWaited() {
  for (const el of document.querySelectorAll('.waited')) {
    el.textContent = waitedText(/** @type {HTMLElement} */ (el).dataset.queuedAt);
  }
}
