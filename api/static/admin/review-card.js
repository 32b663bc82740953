// @ts-check
/* A review group as a card: the messages of one language the model put in the same neighbourhood,
   every one selected at first, and the group's actions on the selected ones (annotate with an
   intent, dismiss, reopen). A decision's outcome is shown in place: a message whose new status is
   not the one listed leaves the card, and the card leaves the list once it is empty. */

import { h } from '../shared/dom.js';
import { reviewErrorText } from './review-api.js';
import { intentField, itemRow } from './review-item.js';
import { t } from './strings.js';

/** @typedef {import('./review-api.js').ReviewGroup} ReviewGroup */
/** @typedef {import('./review-api.js').ReviewItem} ReviewItem */
/** @typedef {import('./review-api.js').ReviewAction} ReviewAction */
/** @typedef {import('./review-api.js').ReviewStatus} ReviewStatus */
/** @typedef {import('./review-api.js').ReviewChange} ReviewChange */
/**
 * @typedef {object} CardHooks
 * @property {(ids: number[], action: ReviewAction, intent?: string) => Promise<ReviewItem[]>} decide
 * @property {(id: number) => Promise<ReviewChange[]>} history
 * @property {(err: unknown) => boolean} handled true if the page dealt with it (signed out, not an admin)
 * @property {(changed: ReviewItem[], action: ReviewAction, intent: string) => void} decided after a decision
 * @property {(code: string) => string} languageName
 * @property {ReviewStatus} status the status listed
 * @property {string} intentsList the id of the intents' <datalist>
 * @property {() => Promise<string[]>} entityNames the assistant's entities, once loaded
 * @property {(id: number, spans: import('./review-api.js').EntitySpan[]) => Promise<ReviewItem>} saveEntities
 * @property {(item: ReviewItem) => void} entitiesSaved
 */

/**
 * @param {ReviewGroup} group
 * @param {CardHooks} hooks
 * @returns {HTMLElement}
 */
export function groupCard(group, hooks) {
  /** @type {Map<number, {element: HTMLLIElement, checkbox: HTMLInputElement}>} */
  const rows = new Map();
  const list = h('ol', { className: 'review-items' });
  const selectAll = h('input', { type: 'checkbox', checked: true, 'data-testid': 'review-select-all' });
  const selectedText = h('span', { className: 'muted', 'data-testid': 'review-selected' });
  const intent = intentField(hooks.intentsList, 'review-group-intent');
  const annotate = () => act(selected(), 'annotate', intent.value.trim(), intent);
  const error = h('p', { className: 'form-error', role: 'alert', 'data-testid': 'review-card-error' });
  const count = h('span', { className: 'muted', 'data-testid': 'review-group-count' });
  const card = h('article', {
    className: 'review-card', 'data-testid': 'review-group', 'data-group-key': group.key, lang: group.language,
  },
    h('header', { className: 'review-card-header' },
      h('h3', { 'data-testid': 'review-group-prediction' }, group.intent || t('reviewNoIntent')),
      h('span', { className: 'badge badge-accent', title: group.language }, hooks.languageName(group.language)),
      count,
      h('span', { className: 'muted review-key', title: group.key }, group.key)),
    list,
    h('div', { className: 'review-group-actions' },
      h('label', { className: 'review-select-all' }, selectAll, t('reviewSelectAll')),
      selectedText,
      intent,
      button('review-annotate', t('reviewAnnotateSelected'), 'btn btn-small btn-primary', annotate),
      hooks.status !== 'dismissed' && button('review-dismiss', t('reviewDismissSelected'), 'btn btn-small',
        () => act(selected(), 'dismiss', '', null)),
      hooks.status !== 'open' && button('review-reopen', t('reviewReopenSelected'), 'btn btn-small',
        () => act(selected(), 'reopen', '', null))),
    error);

  /** @returns {number[]} the ids of the selected messages, in the card's order */
  const selected = () => [...rows].filter(([, row]) => row.checkbox.checked).map(([id]) => id);

  function showSelection() {
    const chosen = selected().length;
    selectedText.textContent = t('reviewSelected', { selected: chosen, count: rows.size });
    selectAll.checked = chosen === rows.size;
    selectAll.indeterminate = chosen > 0 && chosen < rows.size;
    count.textContent = rows.size === 1 ? t('reviewGroupCountOne') : t('reviewGroupCount', { count: rows.size });
  }

  /** @param {ReviewItem} item @param {HTMLLIElement | null} [replacing] */
  function addRow(item, replacing = null) {
    const row = itemRow(item, {
      act, history: hooks.history, handled: hooks.handled, selected: showSelection, intentsList: hooks.intentsList,
      entityNames: hooks.entityNames, saveEntities: hooks.saveEntities, entitiesSaved: hooks.entitiesSaved,
    });
    const before = rows.get(item.id);
    if (before) row.checkbox.checked = before.checkbox.checked;
    rows.set(item.id, row);
    if (replacing) replacing.replaceWith(row.element);
    else list.append(row.element);
  }

  /**
   * One decision on `ids`, its outcome shown in the card.
   * @param {number[]} ids
   * @param {ReviewAction} action
   * @param {string} intentName
   * @param {HTMLInputElement | null} from the intent field, focused if it is empty
   */
  async function act(ids, action, intentName, from) {
    error.textContent = '';
    if (!ids.length) {
      error.textContent = t('reviewNoneSelected');
      return;
    }
    // The one check made here: something to annotate with. Its spelling is the server's rule (422).
    if (action === 'annotate' && !intentName) {
      error.textContent = t('reviewNeedIntent');
      from?.focus();
      return;
    }
    const buttons = [...card.querySelectorAll('button')];
    for (const b of buttons) b.disabled = true;
    card.setAttribute('aria-busy', 'true');
    try {
      const changed = await hooks.decide(ids, action, action === 'annotate' ? intentName : undefined);
      for (const item of changed) {
        const row = rows.get(item.id);
        if (!row) continue;
        if (item.status === hooks.status) {
          addRow(item, row.element);
        } else {
          row.element.remove();
          rows.delete(item.id);
        }
      }
      if (!rows.size) card.remove();
      else showSelection();
      hooks.decided(changed, action, intentName);
    } catch (err) {
      if (hooks.handled(err)) return;
      error.textContent = reviewErrorText(err);
    } finally {
      for (const b of buttons) b.disabled = false;
      card.removeAttribute('aria-busy');
    }
  }

  selectAll.addEventListener('change', () => {
    for (const row of rows.values()) row.checkbox.checked = selectAll.checked;
    showSelection();
  });
  for (const item of group.items) addRow(item);
  showSelection();
  return card;
}

/**
 * @param {string} testid
 * @param {string} label
 * @param {string} className
 * @param {() => void} onclick
 * @returns {HTMLButtonElement}
 */
function button(testid, label, className, onclick) {
  return h('button', { type: 'button', className, 'data-testid': testid, onclick }, label);
}
