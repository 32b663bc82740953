// @ts-check
/* The Responses section of the admin page (admins only): the bot's responses from bot/domain, each a
   card with its text per language (responses-card.js), filtered as the admin types (by name or text,
   and "edited only"). Edits are kept with their admin and take effect with the next trained and
   promoted model: the page says so. A 401/403 goes to the page (signed out, "admins only"). */

import { byId, h } from '../shared/dom.js';
import { ApiError } from './api.js';
import { listResponses, responseHistory, responsesErrorText, saveText } from './responses-api.js';
import { responseCard } from './responses-card.js';
import { t } from './strings.js';

/** @typedef {import('./api.js').AdminMeta} AdminMeta */
/** @typedef {import('./responses-api.js').BotResponse} BotResponse */
/**
 * @typedef {object} ResponsesHooks
 * @property {URL} base the app's address
 * @property {() => string} token the signed-in admin's bearer token
 * @property {(err: ApiError) => boolean} handled true if the page dealt with it (signed out, not an admin)
 * @property {(text: string, kind?: 'info' | 'error') => void} notice
 */

const ui = {
  root: byId('responses-view'),
  count: h('span', { className: 'muted', 'data-testid': 'responses-count' }),
  refresh: h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'responses-refresh' },
    t('responsesRefresh')),
  filter: h('input', {
    type: 'search', placeholder: t('responsesFilterPlaceholder'), spellcheck: 'false', dir: 'auto',
    'aria-label': t('responsesFilter'), 'data-testid': 'responses-filter',
  }),
  editedOnly: h('input', { type: 'checkbox', 'data-testid': 'responses-edited-only' }),
  error: h('p', { className: 'form-error', role: 'alert', 'data-testid': 'responses-error' }),
  list: h('div', { className: 'responses-list', 'data-testid': 'responses-list' }),
  empty: h('p', { className: 'muted review-empty', 'data-testid': 'responses-empty', hidden: true }, t('responsesNoMatch')),
};

/** @type {ResponsesHooks | null} */
let hooks = null;
/** @type {AdminMeta | null} */
let meta = null;
let shown = false;
/** @type {Map<string, {response: BotResponse, card: HTMLElement}>} by name, in the server's order */
const cards = new Map();

/** @param {ResponsesHooks} sectionHooks */
export function initResponsesEditor(sectionHooks) {
  hooks = sectionHooks;
  ui.root.replaceChildren(h('section', { className: 'admin-main' },
    h('header', { className: 'admin-header' }, h('h2', {}, `${t('responsesTitle')} `, ui.count), ui.refresh),
    h('div', { className: 'review-top' },
      h('p', { className: 'muted review-intro' }, t('responsesIntro')),
      h('p', { className: 'review-warning', 'data-testid': 'responses-next-model' }, t('responsesNextModel')),
      h('div', { className: 'review-filters' },
        h('label', { className: 'review-filter' }, t('responsesFilter'), ui.filter),
        h('label', { className: 'responses-edited-only' }, ui.editedOnly, t('responsesEditedOnly'))),
      ui.error),
    ui.list, ui.empty));
  ui.filter.addEventListener('input', applyFilter);
  ui.editedOnly.addEventListener('change', applyFilter);
  ui.refresh.addEventListener('click', () => refresh());
}

/**
 * Shows the section for an admin and loads the responses, the first time only (a team reload keeps
 * what is being edited).
 * @param {AdminMeta} adminMeta
 */
export async function showResponses(adminMeta) {
  if (shown) return;
  shown = true;
  meta = adminMeta;
  ui.root.hidden = false;
  await refresh();
}

/** Hides and empties the section (signed out, or not an admin). */
export function clearResponses() {
  shown = false;
  ui.root.hidden = true;
  cards.clear();
  ui.list.replaceChildren();
  ui.count.textContent = '';
  ui.empty.hidden = true;
  ui.error.textContent = '';
  ui.filter.value = '';
  ui.editedOnly.checked = false;
}

async function refresh() {
  if (!hooks) return;
  ui.error.textContent = '';
  ui.list.setAttribute('aria-busy', 'true');
  try {
    const responses = await listResponses(hooks.base, hooks.token());
    cards.clear();
    for (const response of responses) cards.set(response.name, { response, card: responseCard(response, cardHooks()) });
    ui.list.replaceChildren(...[...cards.values()].map((c) => c.card));
    applyFilter();
  } catch (err) {
    if (err instanceof ApiError && hooks.handled(err)) return;
    ui.error.textContent = t('responsesLoadFailed', { detail: responsesErrorText(err) });
  } finally {
    ui.list.removeAttribute('aria-busy');
  }
}

/** @returns {import('./responses-card.js').CardHooks} */
function cardHooks() {
  const base = hooks?.base || new URL('./', window.location.href);
  return {
    languages: meta?.languages || [],
    save: (name, language, text) => saveText(base, hooks?.token() || '', name, language, text),
    history: (name) => responseHistory(base, hooks?.token() || '', name),
    handled: (err) => err instanceof ApiError && Boolean(hooks?.handled(err)),
    saved: (response, card, language, restored) => {
      const fresh = responseCard(response, cardHooks());
      card.replaceWith(fresh);
      cards.set(response.name, { response, card: fresh });
      fresh.classList.add('changed');
      hooks?.notice(t(restored ? 'responsesRestoredNotice' : 'responsesSavedNotice', { name: response.name, language }));
      applyFilter();
    },
  };
}

/** Shows the cards whose name or any text has what is typed (and, if asked, only edited ones). */
function applyFilter() {
  const wanted = ui.filter.value.trim().toLocaleLowerCase();
  let visible = 0;
  for (const { response, card } of cards.values()) {
    const texts = response.languages.flatMap((l) => [l.original || '', l.edited || '']);
    const matches = !wanted || [response.name, ...texts].some((s) => s.toLocaleLowerCase().includes(wanted));
    const edited = response.languages.some((l) => l.edited !== null);
    card.hidden = !(matches && (edited || !ui.editedOnly.checked));
    if (!card.hidden) visible += 1;
  }
  ui.count.textContent = t('responsesCount', { shown: visible, total: cards.size });
  ui.empty.hidden = visible > 0 || !cards.size;
}
