// @ts-check
/* The bot's quick-reply buttons under its message. */

import { h } from '../shared/dom.js';

/**
 * Adds a message's buttons under its bubble.
 * @param {HTMLLIElement} li the message row
 * @param {{title?: string, payload?: string}[]} buttons
 * @param {Map<string, string>} titles filled with payload -> title, to show the title for the payload
 * @param {boolean} enabled
 * @param {(payload: string, title: string) => void} choose
 */
export function addButtons(li, buttons, titles, enabled, choose) {
  const group = h('div', { className: 'msg-buttons' });
  for (const button of buttons) {
    const payload = String(button.payload ?? button.title ?? '');
    const title = String(button.title ?? payload);
    if (!payload) continue;
    titles.set(payload, title);
    group.append(h('button', {
      type: 'button', className: 'btn btn-small', dir: 'auto', 'data-testid': 'bot-button', disabled: !enabled,
      onclick: () => choose(payload, title),
    }, title));
  }
  li.querySelector('.bubble')?.after(group);
}

/**
 * Quick replies only make sense until the customer says something else.
 * @param {HTMLElement} list
 */
export function retireButtons(list) {
  for (const el of list.querySelectorAll('.msg-buttons button')) /** @type {HTMLButtonElement} */ (el).disabled = true;
}
