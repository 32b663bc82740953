// @ts-check
/* Canned responses in the reply box: typing "/" at the start lists the team's canned responses in
   the conversation's language, filtered as the agent types ("/whe"); arrow keys and Enter (or a
   click) pick one, and the reply box gets its text filled in for this conversation (the customer's
   name, the order, its tracking: GET .../canned/{id}/rendered) to edit or send. */

import { byId, h } from '../shared/dom.js';
import { S, selectedConv } from './state.js';

/**
 * A canned response as GET /api/agent/canned lists it (handoff/canned/schemas.py, CannedPublic).
 * @typedef {{id: number, shortcut: string, language: string, title: string, text: string}} Canned
 */

/** The console's strings for this (English, like console/strings.js). */
const TEXT = {
  label: 'Canned responses',
  none: 'No canned response matches “/{q}”. Esc to close (then Enter sends the text as typed).',
  failed: 'Could not load canned responses (HTTP {status}).',
  fillFailed: 'Could not fill in “/{shortcut}” (HTTP {status}).',
  unreachable: 'Cannot reach the server.',
  hint: '↑↓ to choose, Enter to use, Esc to close',
};
const SHOWN = 8;
const DELAY_MS = 120;
// A shortcut being typed: "/" first, then no space (shortcuts have none).
const TYPING_SHORTCUT = /^\/(\S{0,40})$/;

const ui = {
  form: /** @type {HTMLFormElement} */ (byId('reply-form')),
  input: /** @type {HTMLTextAreaElement} */ (byId('reply-input')),
  list: h('ul', {
    id: 'canned-suggestions', className: 'canned-suggestions', 'data-testid': 'canned-suggestions',
    role: 'listbox', 'aria-label': TEXT.label, hidden: true,
  }),
};

/** @type {URL} */
let base = new URL('./', window.location.href);
/** @type {Canned[]} */
let items = [];
let active = 0;
let asked = 0; // the latest search: answers to older ones are dropped
let timer = 0;
let waiting = false; // a search is on its way: its list is about to open
let pickFirst = false; // Enter came before the list: pick its first item when it opens

/** @param {URL} appBase the app's address */
export function initCanned(appBase) {
  base = appBase;
  ui.form.before(ui.list);
  ui.input.setAttribute('aria-autocomplete', 'list');
  ui.input.setAttribute('aria-controls', ui.list.id);
  ui.input.setAttribute('aria-expanded', 'false');
  ui.input.addEventListener('input', () => {
    clearTimeout(timer);
    const match = TYPING_SHORTCUT.exec(ui.input.value);
    if (!match) {
      hide();
      return;
    }
    waiting = true;
    items = []; // until the new list is in, Enter waits for it rather than picking from the old one
    timer = window.setTimeout(() => search(match[1]), DELAY_MS);
  });
  // Capture, on the form: before the composer's own Enter (which would send "/whe").
  ui.form.addEventListener('keydown', onKey, true);
  ui.input.addEventListener('blur', hide);
  // Clicking an item must not take the focus from the reply box (that would close the list first).
  ui.list.addEventListener('mousedown', (event) => event.preventDefault());
}

/**
 * While the list is open (or about to): arrows move, Enter or Tab pick, Escape closes. Enter never
 * sends "/whe" to the customer then; after Escape it sends the text as typed.
 * @param {KeyboardEvent} event
 */
function onKey(event) {
  if ((ui.list.hidden && !waiting) || event.target !== ui.input || event.isComposing) return;
  const moves = /** @type {Record<string, number>} */ ({ ArrowDown: 1, ArrowUp: -1 });
  if (event.key in moves && items.length) {
    mark((active + moves[event.key] + items.length) % items.length);
  } else if (event.key === 'Enter' && !event.shiftKey) {
    if (items.length) choose(items[active]);
    else pickFirst = waiting;
  } else if (event.key === 'Tab' && items.length) {
    choose(items[active]);
  } else if (event.key === 'Escape') {
    hide();
  } else {
    return;
  }
  event.preventDefault();
  event.stopPropagation();
}

/** @returns {string} the language of the conversation on screen */
function language() {
  const summary = selectedConv()?.summary;
  return summary?.language || summary?.locale || 'en';
}

/** @returns {Record<string, string>} */
function auth() {
  return { Authorization: `Bearer ${S.session?.token || ''}` };
}

/** @param {string} query what follows the "/" */
async function search(query) {
  const mine = ++asked;
  const url = new URL('api/agent/canned', base);
  url.searchParams.set('language', language());
  if (query) url.searchParams.set('q', query);
  try {
    const response = await fetch(url, { headers: auth() });
    if (mine !== asked) return;
    if (!response.ok) {
      showMessage(TEXT.failed.replace('{status}', String(response.status)));
      return;
    }
    /** @type {Canned[]} */
    const found = await response.json();
    if (mine !== asked || !TYPING_SHORTCUT.test(ui.input.value)) return;
    show(found.slice(0, SHOWN), query);
  } catch {
    if (mine === asked) showMessage(TEXT.unreachable);
  }
}

/**
 * @param {Canned[]} found
 * @param {string} query
 */
function show(found, query) {
  items = found;
  active = 0;
  if (!found.length) {
    showMessage(TEXT.none.replace('{q}', query));
    return;
  }
  if (pickFirst) {
    choose(found[0]);
    return;
  }
  ui.list.replaceChildren(...found.map((item, i) => h('li', {
    id: `canned-item-${i}`, className: 'canned-item', role: 'option', 'data-testid': 'canned-item',
    'data-shortcut': item.shortcut, lang: item.language, dir: 'auto',
    onclick: () => choose(item), onmousemove: () => mark(i),
  }, h('span', { className: 'canned-shortcut' }, `/${item.shortcut}`),
  h('span', { className: 'canned-title' }, item.title),
  h('span', { className: 'canned-preview muted' }, item.text))),
  h('li', { className: 'canned-hint muted', role: 'presentation' }, TEXT.hint));
  mark(0);
  open();
}

/** @param {string} text a line instead of items (nothing found, an error) */
function showMessage(text) {
  items = [];
  waiting = false;
  pickFirst = false;
  ui.list.replaceChildren(h('li', { className: 'canned-empty muted', 'data-testid': 'canned-empty' }, text));
  ui.input.removeAttribute('aria-activedescendant');
  open();
}

function open() {
  waiting = false;
  ui.list.hidden = false;
  ui.input.setAttribute('aria-expanded', 'true');
}

function hide() {
  asked += 1;
  clearTimeout(timer);
  waiting = false;
  pickFirst = false;
  items = [];
  ui.list.hidden = true;
  ui.list.replaceChildren();
  ui.input.setAttribute('aria-expanded', 'false');
  ui.input.removeAttribute('aria-activedescendant');
}

/** @param {number} index */
function mark(index) {
  active = index;
  ui.list.querySelectorAll('[data-testid=canned-item]').forEach((li, i) => {
    li.setAttribute('aria-selected', String(i === index));
    if (i === index) li.scrollIntoView({ block: 'nearest' });
  });
  ui.input.setAttribute('aria-activedescendant', `canned-item-${index}`);
}

/**
 * Replaces the reply box's text with the canned response filled in for the conversation on screen.
 * @param {Canned} item
 */
async function choose(item) {
  const conv = selectedConv();
  if (!conv) return;
  hide();
  const path = `api/agent/conversations/${encodeURIComponent(conv.id)}/canned/${item.id}/rendered`;
  try {
    const response = await fetch(new URL(path, base), { headers: auth() });
    if (!response.ok) {
      showMessage(TEXT.fillFailed.replace('{shortcut}', item.shortcut).replace('{status}', String(response.status)));
      return;
    }
    const { text } = await response.json();
    if (selectedConv()?.id !== conv.id) return; // the agent moved on meanwhile
    ui.input.value = String(text);
    // As if typed: the box grows, the customer sees "typing", the list stays closed (no "/").
    ui.input.dispatchEvent(new Event('input'));
    ui.input.focus();
    ui.input.setSelectionRange(ui.input.value.length, ui.input.value.length);
  } catch {
    showMessage(TEXT.unreachable);
  }
}
