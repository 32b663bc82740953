// @ts-check
/* The demo page: a shop page that embeds the support chat, plus the demo's controls (who the
   customer is, the language, a new conversation). It embeds the widget with the one script tag any
   shop would put on its pages; it builds that tag here only because the demo's stand-in for a shop's
   back end (GET /demo/customer-token/{id}, which signs a signed-in customer's id) is an HTTP call.
   After that it drives the widget through window.ShopbotWidget, as a shop's own scripts would. */

import { byId, h } from '../shared/dom.js';
import { requestJson } from '../shared/http.js';
import { directionOf, findLanguage, loadMeta, pickLanguage } from '../shared/meta.js';
import { readJson, writeJson } from '../shared/storage.js';
import { WIDGET_STRINGS, translator } from '../shared/strings.js';

/** @typedef {import('./main.js').WidgetApi} WidgetApi */

const PREFS_KEY = 'shopbot.widget.prefs'; // {locale, customer_id}
const APP_BASE = new URL('../../', import.meta.url);
const EMBED_SRC = new URL('embed.js', import.meta.url);

const ui = {
  localeSelect: /** @type {HTMLSelectElement} */ (byId('locale-select')),
  customerSelect: /** @type {HTMLSelectElement} */ (byId('customer-select')),
  newConversation: byId('new-conversation'),
  snippet: byId('embed-snippet'),
};

let locale = 'en';
let customerId = '';
const t = translator(WIDGET_STRINGS, () => locale);

/** @returns {Promise<WidgetApi>} */
function widget() {
  const ready = /** @type {any} */ (window).ShopbotWidget;
  if (ready) return Promise.resolve(ready);
  return new Promise((resolve) => {
    window.addEventListener('shopbot:ready', (event) => resolve(/** @type {CustomEvent} */ (event).detail), { once: true });
  });
}

/**
 * What the shop's back end does for a signed-in customer: a signed token, fetched fresh for each
 * new conversation (tokens expire).
 * @param {string} id
 * @returns {(() => Promise<string>) | null}
 */
function customerToken(id) {
  if (!id) return null;
  return async () => (await requestJson(APP_BASE, `demo/customer-token/${encodeURIComponent(id)}`)).customer_token;
}

/**
 * The demo page's own texts and direction.
 * @param {import('../shared/meta.js').Meta} meta
 */
function applyLocale(meta) {
  const root = document.documentElement;
  root.lang = locale;
  root.dir = directionOf(meta, locale);
  ui.localeSelect.value = locale;
  document.title = t('demoTitle');
  for (const el of document.querySelectorAll('[data-i18n]')) {
    el.textContent = t(/** @type {HTMLElement} */ (el).dataset.i18n || '');
  }
  for (const option of ui.customerSelect.options) {
    option.textContent = option.value ? t('signedIn', { id: option.value }) : t('guest');
  }
  // The tag for this language (a signed-in customer's token is passed by window.shopbotSettings here).
  ui.snippet.textContent = `<script src="${EMBED_SRC.href}" data-locale="${locale}" data-open="true" async></script>`;
}

function savePrefs() {
  writeJson('local', PREFS_KEY, { locale, customer_id: customerId });
}

/** Adds the one script tag, and shows it on the page. */
function embed() {
  /** @type {any} */ (window).shopbotSettings = { customerToken: customerToken(customerId) };
  const tag = h('script', { src: EMBED_SRC.href, 'data-locale': locale, 'data-open': 'true', async: true });
  document.body.append(tag);
}

async function init() {
  const meta = await loadMeta(APP_BASE);
  ui.localeSelect.replaceChildren(...meta.languages.map((language) => h('option', {
    value: language.code, lang: language.code, dir: language.direction,
  }, language.name)));
  const prefs = readJson('local', PREFS_KEY) || {};
  const browserLocale = (navigator.language || '').slice(0, 2).toLowerCase();
  locale = pickLanguage(meta, prefs.locale, browserLocale);
  const known = [...ui.customerSelect.options].some((o) => o.value === prefs.customer_id);
  customerId = known ? prefs.customer_id : '';
  ui.customerSelect.value = customerId;
  applyLocale(meta);

  ui.localeSelect.addEventListener('change', () => {
    if (!findLanguage(meta, ui.localeSelect.value)) return;
    locale = ui.localeSelect.value;
    applyLocale(meta);
    savePrefs();
    widget().then((w) => w.setLocale(locale));
  });
  ui.customerSelect.addEventListener('change', () => {
    customerId = ui.customerSelect.value;
    savePrefs();
    widget().then((w) => w.setCustomerToken(customerToken(customerId)));
  });
  ui.newConversation.addEventListener('click', () => widget().then((w) => w.newConversation()));
  embed();
}

init();
