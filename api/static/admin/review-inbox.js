// @ts-check
/* The Review section of the admin page (admins only, below canned responses): the filters, the
   inbox's groups as cards (review-card.js), the live model's intents to annotate with, and the
   export of the annotations as training data. Like the rest of the page it shows the API's answers:
   a 401/403 goes to the page (signed out, "admins only"), a 422's detail and a 503 are said in place. */

import { byId, h } from '../shared/dom.js';
import { ApiError } from './api.js';
import {
  decide, itemHistory, listEntities, listIntents, listReview, reviewErrorText, setEntities,
} from './review-api.js';
import { groupCard } from './review-card.js';
import { exportControls } from './review-export.js';
import { labelOr } from './review-item.js';
import { t } from './strings.js';

/** @typedef {import('./api.js').AdminMeta} AdminMeta */
/** @typedef {import('./review-api.js').ReviewInbox} ReviewInbox */
/** @typedef {import('./review-api.js').ReviewItem} ReviewItem */
/** @typedef {import('./review-api.js').ReviewAction} ReviewAction */
/** @typedef {import('./review-api.js').ReviewStatus} ReviewStatus */
/**
 * @typedef {object} ReviewHooks
 * @property {URL} base the app's address
 * @property {() => string} token the signed-in admin's bearer token
 * @property {(err: ApiError) => boolean} handled true if the page dealt with it (signed out, not an admin)
 * @property {(text: string, kind?: 'info' | 'error') => void} notice
 */

const INTENTS_LIST = 'review-intents';
/** @type {ReviewStatus[]} */
const STATUSES = ['open', 'annotated', 'dismissed'];
// Offered even if the model lacks it: the bot's label for "nothing we do".
const OUT_OF_SCOPE = 'out_of_scope';
// Rasa's FallbackClassifier label, not an intent one trains: never offered to annotate with.
const NOT_OFFERED = new Set(['nlu_fallback']);

/** @param {string} testid @param {string} label @param {HTMLElement} control */
const field = (testid, label, control) => h('label', { className: 'review-filter', 'data-testid': testid }, label, control);

const ui = {
  root: byId('review-view'),
  count: h('span', { className: 'muted', 'data-testid': 'review-count' }),
  refresh: h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'review-refresh' }, t('reviewRefresh')),
  filters: h('form', { className: 'review-filters', 'data-testid': 'review-filters', autocomplete: 'off' }),
  language: h('select', { name: 'language', 'data-testid': 'review-filter-language' }),
  reason: h('select', { name: 'reason', 'data-testid': 'review-filter-reason' }),
  status: h('select', { name: 'status', 'data-testid': 'review-filter-status' },
    STATUSES.map((code) => h('option', { value: code }, t(`status_${code}`)))),
  intent: h('input', {
    name: 'intent', type: 'text', list: INTENTS_LIST, placeholder: t('reviewAny'), spellcheck: 'false',
    autocapitalize: 'off', 'data-testid': 'review-filter-intent',
  }),
  intents: h('datalist', { id: INTENTS_LIST, 'data-testid': 'review-intents' }),
  intentsError: h('p', { className: 'review-warning', role: 'alert', 'data-testid': 'review-intents-error', hidden: true }),
  error: h('p', { className: 'form-error', role: 'alert', 'data-testid': 'review-error' }),
  groups: h('div', { className: 'review-groups', 'data-testid': 'review-groups' }),
};

/** @type {ReviewHooks | null} */
let hooks = null;
/** @type {ReturnType<typeof exportControls> | null} */
let exporter = null;
/** @type {AdminMeta | null} */
let meta = null;
let shown = false;
// Each load's number: an answer to an older one (filters changed meanwhile) is dropped.
let generation = 0;

/** @param {ReviewHooks} reviewHooks */
export function initReviewInbox(reviewHooks) {
  hooks = reviewHooks;
  exporter = exportControls({ base: reviewHooks.base, token: reviewHooks.token, handled: reviewHooks.handled });
  ui.filters.append(
    field('review-language', t('reviewLanguage'), ui.language),
    field('review-reason', t('reviewReason'), ui.reason),
    field('review-status', t('reviewStatus'), ui.status),
    field('review-intent', t('reviewIntentFilter'), ui.intent),
    h('button', { type: 'submit', className: 'btn btn-small' }, t('reviewApply')));
  ui.root.replaceChildren(h('section', { className: 'admin-main' },
    h('header', { className: 'admin-header' }, h('h2', {}, `${t('reviewTitle')} `, ui.count), ui.refresh, exporter.button),
    h('div', { className: 'review-top' },
      h('p', { className: 'muted review-intro' }, t('reviewIntro')),
      ui.filters, ui.intentsError, ui.error, exporter.panel),
    ui.groups, ui.intents));
  showReasons([]);
  for (const select of [ui.language, ui.reason, ui.status]) select.addEventListener('change', () => refresh());
  ui.intent.addEventListener('change', () => refresh());
  ui.filters.addEventListener('submit', (event) => { event.preventDefault(); refresh(); });
  ui.refresh.addEventListener('click', () => { loadIntents(); refresh(); });
}

/**
 * Shows the section for an admin: the first time, loads the intents and the open messages.
 * Later calls (the team reloaded) leave it as it is, selections and typed intents included.
 * @param {AdminMeta} adminMeta
 */
export async function showReview(adminMeta) {
  if (shown) return;
  shown = true;
  meta = adminMeta;
  ui.language.replaceChildren(h('option', { value: '' }, t('reviewAny')),
    ...adminMeta.languages.map((l) => h('option', { value: l.code, lang: l.code }, `${l.name} (${l.code})`)));
  // Shown at once: a failed load is said inside the section (a 401/403 hides it again, page-wide).
  ui.root.hidden = false;
  loadIntents();
  await refresh();
}

/** Hides and empties the section (signed out, or not an admin). */
export function clearReview() {
  shown = false;
  generation += 1;
  ui.root.hidden = true;
  ui.groups.replaceChildren();
  ui.groups.removeAttribute('data-status');
  ui.count.textContent = '';
  ui.error.textContent = '';
  exporter?.clear();
  ui.intentsError.hidden = true;
}

const base = () => hooks?.base || new URL('./', window.location.href);
const token = () => hooks?.token() || '';

/**
 * @param {unknown} err
 * @returns {boolean} whether the page dealt with it (signed out, not an admin)
 */
function handled(err) {
  return err instanceof ApiError && Boolean(hooks?.handled(err));
}

/** @type {Promise<string[]>} the live model's entities, for the entity editors (none while unreachable) */
let entityNames = Promise.resolve([]);

/** The live model's intents in the <datalist>; without them (503) an intent can still be typed. */
async function loadIntents() {
  // The entities come from the same domain; without them the editors say so when marking.
  entityNames = listEntities(base(), token()).catch(() => []);
  try {
    const intents = await listIntents(base(), token());
    const offered = [...new Set([...intents, OUT_OF_SCOPE])].filter((name) => !NOT_OFFERED.has(name)).sort();
    ui.intents.replaceChildren(...offered.map((name) => h('option', { value: name })));
    ui.intentsError.hidden = true;
  } catch (err) {
    if (handled(err)) return;
    // Keep what was listed before; out_of_scope is always there to pick.
    if (!ui.intents.options.length) ui.intents.replaceChildren(h('option', { value: OUT_OF_SCOPE }));
    ui.intentsError.textContent = `${t('reviewIntentsUnavailable')} (${reviewErrorText(err)})`;
    ui.intentsError.hidden = false;
  }
}

/**
 * Reloads the inbox with the filters shown.
 * @returns {Promise<boolean>} whether it loaded
 */
async function refresh() {
  const mine = ++generation;
  const status = /** @type {ReviewStatus} */ (ui.status.value);
  ui.error.textContent = '';
  ui.groups.setAttribute('aria-busy', 'true');
  try {
    const inbox = await listReview(base(), token(), {
      status, language: ui.language.value, reason: ui.reason.value, intent: ui.intent.value.trim(),
    });
    if (mine !== generation) return false;
    render(inbox, status);
    return true;
  } catch (err) {
    if (mine !== generation || handled(err)) return false;
    ui.error.textContent = t('reviewLoadFailed', { detail: reviewErrorText(err) });
    return false;
  } finally {
    if (mine === generation) ui.groups.removeAttribute('aria-busy');
  }
}

/**
 * @param {ReviewInbox} inbox
 * @param {ReviewStatus} status the status it was asked for
 */
function render(inbox, status) {
  showReasons(inbox.groups.flatMap((g) => g.items.flatMap((i) => i.reasons)));
  ui.groups.replaceChildren(...inbox.groups.map((group) => groupCard(group, {
    decide: (ids, action, intent) => decide(base(), token(), ids, action, intent),
    history: (id) => itemHistory(base(), token(), id),
    handled,
    decided,
    languageName: (code) => meta?.languages.find((l) => l.code === code)?.name || code,
    status,
    intentsList: INTENTS_LIST,
    entityNames: () => entityNames,
    saveEntities: (id, spans) => setEntities(base(), token(), id, spans),
    entitiesSaved: () => hooks?.notice(t('reviewEntitiesSaved')),
  })));
  // Which list is on screen, once it is: tests wait on it rather than on time.
  ui.groups.dataset.status = status;
  showCount();
}

/** The count of messages on screen, and the empty state. */
function showCount() {
  const shownItems = ui.groups.querySelectorAll('[data-testid=review-item]').length;
  ui.count.textContent = t('reviewCount', { count: shownItems });
  if (!shownItems) ui.groups.replaceChildren(h('p', { className: 'muted review-empty', 'data-testid': 'review-empty' },
    t('reviewEmpty')));
}

/**
 * @param {ReviewItem[]} changed
 * @param {ReviewAction} action
 * @param {string} intent
 */
function decided(changed, action, intent) {
  const messages = changed.length === 1 ? t('reviewGroupCountOne') : t('reviewGroupCount', { count: changed.length });
  hooks?.notice(t(`reviewDone_${action}`, { messages, intent }));
  showCount();
}

/**
 * The reason menu: the known reasons and any other the inbox has shown, the choice kept.
 * @param {string[]} seen
 */
function showReasons(seen) {
  const current = ui.reason.value;
  const known = [...ui.reason.options].map((o) => o.value).filter(Boolean);
  // The server's list (GET /api/meta), and any reason an item shows that a stale page does not know.
  const listed = meta?.review_reasons || {};
  const codes = [...new Set([...Object.keys(listed), ...known, ...seen])];
  if (codes.length === known.length) return;
  ui.reason.replaceChildren(h('option', { value: '' }, t('reviewAny')),
    ...codes.map((code) => h('option', { value: code }, listed[code] || labelOr(`reason_${code}`, code))));
  ui.reason.value = current;
}
