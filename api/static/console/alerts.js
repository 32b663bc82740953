// @ts-check
/* Agents never miss a handoff: when a conversation starts waiting, a conversation becomes mine, or a
   customer writes in one of my chats that is not on screen (or while the tab is hidden), the console
   beeps (sound.js), shows a browser notification and counts it as unread: on the chat's row in the
   queue and in the tab title, "(3) Agent console". Opening the chat clears its count.

   Notification permission is asked once, on the first click in the console after signing in (a
   browser only asks from a user gesture, and never on page load here); denied or unsupported, the
   console goes on without notifications. */

import { S, isMine, languageLabel, reasonLabel, unreadTotal } from './state.js';
import { t } from './strings.js';
import { beep, unlockSound } from './sound.js';

/** @typedef {import('./state.js').Summary} Summary */
/** @typedef {import('./state.js').Followed} Followed */
/** @typedef {import('../shared/message-list.js').Message} Message */
/** @typedef {import('./sound.js').BeepKind} AlertKind */
/**
 * What the alerts need from main.js: open a conversation (a notification was clicked), and redraw
 * after the tab came back into view (the chat on screen is read then).
 * @typedef {{open: (id: string) => void, refresh: () => void}} AlertActions
 */

const BODY_CHARS = 140;
const QUEUED_ALERT_DELAY_MS = 1500;
const BASE_TITLE = document.title;
/** @type {Set<string>} conversations that started waiting, announced in a moment */
const pendingQueued = new Set();

/** @type {AlertActions} */
let actions = { open: () => {}, refresh: () => {} };
let askedPermission = false;

/** @param {AlertActions} alertActions */
export function initAlerts(alertActions) {
  actions = alertActions;
  document.addEventListener('click', onFirstClick, { capture: true });
  document.addEventListener('visibilitychange', () => {
    if (document.hidden || !S.selectedId || !S.unread.has(S.selectedId)) return;
    markRead(S.selectedId);
    actions.refresh();
  });
}

/** The first click while signed in: ask for notifications, and let audio play from now on. */
function onFirstClick() {
  if (!S.session || askedPermission) return;
  askedPermission = true;
  document.removeEventListener('click', onFirstClick, { capture: true });
  unlockSound();
  try {
    if ('Notification' in window && Notification.permission === 'default') {
      Promise.resolve(Notification.requestPermission()).catch(() => {});
    }
  } catch {
    /* no notifications */
  }
}

/** @returns {boolean} whether the agent is looking at the console */
const visible = () => !document.hidden;

/**
 * @param {string} id
 * @returns {boolean} whether the agent is looking at that conversation
 */
const onScreen = (id) => id === S.selectedId && visible();

/**
 * A queue_update or conversation frame, before the console applies it: alerts when the conversation
 * starts waiting, or becomes mine by routing (not by my own claim, and not while it is on screen).
 * @param {Summary | undefined} before what the console knew of it
 * @param {Summary} summary
 */
export function summaryArrived(before, summary) {
  if (summary.state === 'queued' && before?.state !== 'queued' && !pendingQueued.has(summary.id)) {
    // Routing usually hands a new conversation to an online agent at once: only one still waiting
    // a moment later is announced to everyone.
    pendingQueued.add(summary.id);
    window.setTimeout(() => stillWaiting(summary.id), QUEUED_ALERT_DELAY_MS);
  } else if (isMine(summary) && !isMine(before) && !S.claiming.has(summary.id) && !onScreen(summary.id)) {
    flag(summary.id);
    alertAgent('assigned', summary);
  }
}

/** @param {string} id a conversation that started waiting a moment ago */
function stillWaiting(id) {
  pendingQueued.delete(id);
  const summary = S.queue.get(id);
  if (!S.session || summary?.state !== 'queued' || onScreen(id)) return;
  flag(id);
  alertAgent('queued', summary);
  actions.refresh();
}

/**
 * A message the console had not seen: a customer's new message in one of my chats that is not on
 * screen (or while the tab is hidden) counts as unread. History loaded on opening a chat does not.
 * @param {Followed} conv
 * @param {Message} message
 * @returns {boolean} whether it was counted
 */
export function messageArrived(conv, message) {
  if (message.sender !== 'customer' || Number(message.seq) <= conv.baseSeq || !isMine(conv.summary)) return false;
  if (onScreen(conv.id)) return false;
  S.unread.set(conv.id, (S.unread.get(conv.id) || 0) + 1);
  alertAgent('message', conv.summary, message.text);
  return true;
}

/**
 * The chat was opened: its unread are read (unless the tab is hidden, e.g. a chat routed to me
 * opened by itself: then they are read when the agent comes back).
 * @param {string} id
 */
export function markRead(id) {
  if (visible()) S.unread.delete(id);
}

/** At least 1 unread on `id`, for a conversation that needs the agent. @param {string} id */
function flag(id) {
  if (!S.unread.get(id)) S.unread.set(id, 1);
}

/** The tab title: "(3) Agent console" while anything is unread. */
export function renderTitle() {
  const total = unreadTotal();
  const title = total ? `(${total}) ${BASE_TITLE}` : BASE_TITLE;
  if (document.title !== title) document.title = title;
}

/** Signed out: nothing is unread any more. */
export function clearAlerts() {
  S.unread.clear();
  renderTitle();
}

/**
 * Beeps and shows a notification.
 * @param {AlertKind} kind
 * @param {Summary} summary
 * @param {string} [text] the customer's message
 */
function alertAgent(kind, summary, text = '') {
  beep(kind);
  const customer = summary.customer_id || t('guest');
  const body = kind === 'message'
    ? clip(text)
    : `${reasonLabel(summary.handoff_reason)} · ${customer} · ${languageLabel(summary.locale)}`;
  notify(t(`alert_${kind}`, { customer }), body, summary.id);
}

/**
 * @param {string} text
 * @returns {string} at most BODY_CHARS characters of it
 */
function clip(text) {
  const flat = String(text || '').replace(/\s+/g, ' ').trim();
  return flat.length > BODY_CHARS ? `${flat.slice(0, BODY_CHARS - 1)}…` : flat;
}

/**
 * A browser notification (plain text), if the agent allowed them; clicking it opens the chat.
 * @param {string} title
 * @param {string} body
 * @param {string} id the conversation
 */
function notify(title, body, id) {
  try {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    /** @type {NotificationOptions & {renotify?: boolean}} one per chat, each new one alerting again */
    const options = { body, tag: `shopbot-${id}`, renotify: true, lang: 'en' };
    const notification = new Notification(title, options);
    notification.onclick = () => {
      window.focus();
      notification.close();
      actions.open(id);
    };
  } catch {
    /* e.g. a browser that only shows notifications from a service worker: skip */
  }
}
