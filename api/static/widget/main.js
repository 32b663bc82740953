// @ts-check
/* The embedded widget: a launcher button and the chat panel in a shadow root on the host page, its
   styles inside that root (docs/frontend.md). Loaded by embed.js. Everything it loads comes from
   beside this file, and the app it talks to is the one that served it (import.meta.url), never the
   host page's origin. */

import { h } from '../shared/dom.js';
import { directionOf, loadMeta, pickLanguage } from '../shared/meta.js';
import { WIDGET_STRINGS, translator } from '../shared/strings.js';
import { Chat } from './chat.js';
import { Panel } from './panel.js';

/** @typedef {import('./chat.js').CustomerToken} CustomerToken */
/**
 * What embed.js reads from the script tag's data- attributes, merged over window.shopbotSettings.
 * @typedef {object} WidgetSettings
 * @property {string} [locale] en, id, he, ... (the server's list); default: the browser's language
 * @property {CustomerToken} [customerToken] a signed-in customer's token from the shop's back end, or
 *   a function that fetches a fresh one (called for each new conversation)
 * @property {boolean} [open] open the panel at once (and start a conversation)
 */
/**
 * window.ShopbotWidget, also the detail of the "shopbot:ready" event on window.
 * @typedef {object} WidgetApi
 * @property {() => void} open
 * @property {() => void} close
 * @property {() => void} toggle
 * @property {(locale: string) => void} setLocale the widget's language (and of a conversation not used yet)
 * @property {(token: CustomerToken) => void} setCustomerToken who the customer is, from now on
 * @property {() => Promise<void>} newConversation
 * @property {ShadowRoot} shadowRoot for tests and debugging (the root is open)
 */

/** The app's address: /static/widget/main.js -> /. */
export const APP_BASE = new URL('../../', import.meta.url);

/** @type {Promise<WidgetApi> | null} */
let mounted = null;

/**
 * @param {string} href
 * @returns {[HTMLLinkElement, Promise<unknown>]}
 */
function stylesheet(href) {
  const link = h('link', { rel: 'stylesheet', href });
  return [link, new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true }); // unstyled beats invisible
  })];
}

/**
 * Adds the widget to the page once (later calls return the same widget).
 * @param {WidgetSettings} [settings]
 * @returns {Promise<WidgetApi>}
 */
export function mount(settings = {}) {
  if (!mounted) mounted = create({ .../** @type {any} */ (window).shopbotSettings, ...settings });
  return mounted;
}

/**
 * @param {WidgetSettings} settings
 * @returns {Promise<WidgetApi>}
 */
async function create(settings) {
  const host = document.createElement('shopbot-widget');
  const shadowRoot = host.attachShadow({ mode: 'open' });
  const root = h('div', { className: 'root', hidden: true });
  const [common, commonLoaded] = stylesheet(new URL('../common.css', import.meta.url).href);
  const [own, ownLoaded] = stylesheet(new URL('widget.css', import.meta.url).href);
  shadowRoot.append(common, own, root);
  (document.body || document.documentElement).append(host);

  const meta = await loadMeta(APP_BASE);
  const browserLocale = (navigator.language || '').slice(0, 2).toLowerCase();
  let locale = pickLanguage(meta, settings.locale, browserLocale);
  const t = translator(WIDGET_STRINGS, () => locale);
  const panel = new Panel(t, () => locale);
  const chat = new Chat({ base: APP_BASE, panel, t, locale: () => locale, customerToken: settings.customerToken });
  root.append(panel.element, panel.launcher);

  const applyDirection = () => {
    root.lang = locale;
    root.dir = directionOf(meta, locale);
  };
  const setOpen = (/** @type {boolean} */ open) => {
    panel.setOpen(open);
    if (open && !chat.active) chat.start();
    chat.sayPresence();
  };
  document.addEventListener('visibilitychange', () => chat.sayPresence());
  panel.launcher.addEventListener('click', () => setOpen(!panel.isOpen()));
  panel.element.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    setOpen(false);
    panel.launcher.focus();
  });

  /** @type {WidgetApi} */
  const api = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!panel.isOpen()),
    setLocale(code) {
      const next = pickLanguage(meta, code);
      if (next === locale) return;
      locale = next;
      applyDirection();
      panel.relabel();
      chat.relabel();
      if (chat.active) chat.settingsChanged();
    },
    setCustomerToken(token) {
      chat.customerToken = token;
      if (chat.active) chat.settingsChanged();
    },
    newConversation: () => {
      panel.setOpen(true);
      return chat.start();
    },
    shadowRoot,
  };

  applyDirection();
  chat.relabel();
  if (!chat.resumeStored() && settings.open) chat.start();
  await Promise.all([commonLoaded, ownLoaded]);
  root.hidden = false;
  panel.setOpen(Boolean(settings.open));

  const win = /** @type {any} */ (window);
  win.ShopbotWidget = api;
  window.dispatchEvent(new CustomEvent('shopbot:ready', { detail: api }));
  return api;
}
