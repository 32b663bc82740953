// @ts-check
/* One message of a review group: its checkbox (for the group's actions), the redacted text (as text,
   dir="auto": a Hebrew message reads right to left) with its entities marked (review-entities.js),
   what the model made of it, why it is here, and its own actions: annotate, dismiss, reopen, correct
   the entities, and the history of what admins did with it. */

import { h } from '../shared/dom.js';
import { parseTime } from '../shared/time.js';
import { reviewErrorText } from './review-api.js';
import { entityEditor } from './review-entities.js';
import { t } from './strings.js';

/** @typedef {import('./review-api.js').ReviewItem} ReviewItem */
/** @typedef {import('./review-api.js').ReviewAction} ReviewAction */
/** @typedef {import('./review-api.js').ReviewChange} ReviewChange */
/**
 * @typedef {object} ItemHooks
 * @property {(ids: number[], action: ReviewAction, intent: string, from: HTMLInputElement | null) => void} act
 *   runs a decision (the card shows its outcome); `from`: the intent field, focused if it is empty
 * @property {(id: number) => Promise<ReviewChange[]>} history
 * @property {(err: unknown) => boolean} handled true if the page dealt with it (signed out, not an admin)
 * @property {() => void} selected called when the checkbox changes
 * @property {string} intentsList the id of the intents' <datalist>
 * @property {() => Promise<string[]>} entityNames the assistant's entities, once loaded
 * @property {(id: number, spans: import('./review-api.js').EntitySpan[]) => Promise<ReviewItem>} saveEntities
 * @property {(item: ReviewItem) => void} entitiesSaved
 */

const REASON_BADGE = /** @type {Record<string, string>} */ ({
  fallback: 'badge badge-danger', low_confidence: 'badge badge-warning', not_understood: 'badge badge-danger',
});

/**
 * @param {number} confidence 0..1
 * @returns {string} e.g. "31%"
 */
export const percent = (confidence) => `${Math.round(confidence * 100)}%`;

/**
 * @param {string | null} iso
 * @returns {string} date and time in the browser's locale, '' without one
 */
export function formatWhen(iso) {
  const ms = parseTime(iso);
  if (Number.isNaN(ms)) return '';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/**
 * An intent field with the model's intents to pick from, free text allowed (a new intent). Enter
 * does nothing: it also picks from the list, and picking should not annotate by itself.
 * @param {string} listId
 * @param {string} testid
 * @returns {HTMLInputElement}
 */
export function intentField(listId, testid) {
  return h('input', {
    type: 'text', list: listId, 'data-testid': testid, placeholder: t('reviewIntentPlaceholder'),
    'aria-label': t('reviewIntentLabel'), spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off',
    className: 'review-intent',
  });
}

/**
 * @param {string} reason
 * @returns {HTMLElement}
 */
const reasonBadge = (reason) => h('span', {
  className: REASON_BADGE[reason] || 'badge badge-accent', 'data-testid': 'review-reason', 'data-reason': reason,
}, labelOr(`reason_${reason}`, reason));

/**
 * A string of strings.js, or `fallback` for a code the server added without one.
 * @param {string} key
 * @param {string} fallback
 * @param {Record<string, string>} [vars]
 * @returns {string}
 */
export function labelOr(key, fallback, vars) {
  const text = t(key, vars);
  return text === key ? fallback : text;
}

/**
 * The row of one message.
 * @param {ReviewItem} item
 * @param {ItemHooks} hooks
 * @returns {{element: HTMLLIElement, checkbox: HTMLInputElement}}
 */
export function itemRow(item, hooks) {
  const checkbox = h('input', {
    type: 'checkbox', checked: true, className: 'review-check', 'data-testid': 'review-select',
    'aria-label': t('reviewSelect'), onchange: () => hooks.selected(),
  });
  const intent = intentField(hooks.intentsList, 'review-item-intent');
  const annotate = () => hooks.act([item.id], 'annotate', intent.value.trim(), intent);
  intent.value = item.annotated_intent || '';
  const entities = entityEditor(item, {
    names: hooks.entityNames, save: hooks.saveEntities, saved: hooks.entitiesSaved, handled: hooks.handled,
  });
  const button = (/** @type {string} */ testid, /** @type {string} */ label, /** @type {() => void} */ onclick) =>
    h('button', { type: 'button', className: 'btn btn-small', 'data-testid': testid, onclick }, label);
  const element = h('li', {
    className: 'review-item', 'data-testid': 'review-item', 'data-item-id': item.id,
    'data-conversation-id': item.conversation_id, 'data-status': item.status,
  },
    checkbox,
    h('div', { className: 'review-body' },
      entities.text,
      h('div', { className: 'review-meta' },
        h('span', { 'data-testid': 'review-prediction', 'data-intent': item.intent || '' },
          t('reviewPrediction', { intent: item.intent || t('reviewNoIntent'), confidence: percent(item.confidence) })),
        h('span', { className: 'muted', 'data-testid': 'review-runner-up' }, item.runner_up
          ? t('reviewRunnerUp', { intent: item.runner_up, confidence: percent(item.runner_up_confidence) })
          : t('reviewNoRunnerUp')),
        item.reasons.map(reasonBadge),
        h('span', { className: 'badge', title: t('reviewLanguage') }, item.language),
        h('time', { datetime: item.created_at, className: 'muted' }, formatWhen(item.created_at)),
        // No page shows a conversation to admins yet: the id, selectable in one click, to look it up.
        h('code', { className: 'review-conv', 'data-testid': 'review-conversation', title: item.conversation_id },
          t('reviewConversation', { id: item.conversation_id, seq: item.seq }))),
      decision(item),
      h('div', { className: 'review-actions' },
        intent,
        button('review-item-annotate', t('reviewAnnotate'), annotate),
        item.status !== 'dismissed' && button('review-item-dismiss', t('reviewDismiss'),
          () => hooks.act([item.id], 'dismiss', '', null)),
        item.status !== 'open' && button('review-item-reopen', t('reviewReopen'),
          () => hooks.act([item.id], 'reopen', '', null))),
      entities.editor,
      historyExpander(item, hooks)));
  return { element, checkbox };
}

/**
 * Who annotated or dismissed it, and when; nothing for an open item.
 * @param {ReviewItem} item
 * @returns {HTMLElement | null}
 */
function decision(item) {
  if (item.status === 'open') return null;
  const vars = { intent: item.annotated_intent || '', admin: item.annotated_by || '?', at: formatWhen(item.annotated_at) };
  return h('p', { className: 'review-decision', 'data-testid': 'review-decision' },
    t(item.status === 'annotated' ? 'reviewAnnotatedAs' : 'reviewDismissedBy', vars));
}

/**
 * A <details> that loads the item's history each time it is opened (other admins may have acted).
 * @param {ReviewItem} item
 * @param {ItemHooks} hooks
 * @returns {HTMLDetailsElement}
 */
function historyExpander(item, hooks) {
  const list = h('ol', { className: 'review-history-list', 'data-testid': 'review-history-list' });
  const details = h('details', { className: 'review-history', 'data-testid': 'review-history' },
    h('summary', {}, t('reviewHistory')), list);
  details.addEventListener('toggle', async () => {
    if (!details.open) return;
    list.replaceChildren(h('li', { className: 'muted' }, t('reviewHistoryLoading')));
    try {
      const changes = await hooks.history(item.id);
      list.replaceChildren(...(changes.length ? changes.map(change) : [h('li', { className: 'muted' }, t('reviewHistoryEmpty'))]));
    } catch (err) {
      if (hooks.handled(err)) return;
      list.replaceChildren(h('li', { className: 'form-error', role: 'alert' }, reviewErrorText(err)));
    }
  });
  return details;
}

/**
 * @param {ReviewChange} entry
 * @returns {HTMLLIElement}
 */
function change(entry) {
  return h('li', { 'data-testid': 'review-history-entry', 'data-admin': entry.admin_id, 'data-action': entry.action },
    h('strong', {}, entry.admin_id), ' ',
    labelOr(`action_${entry.action}`, entry.action, { intent: entry.intent || '' }), ' ',
    h('time', { datetime: entry.at, className: 'muted' }, formatWhen(entry.at)));
}
