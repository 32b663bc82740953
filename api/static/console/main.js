// @ts-check
/* The agent console (docs/protocol.md, "Agent socket"): signs in, keeps the agent socket open and
   wires the views (login.js, queue-list.js, conversation-view.js, context-panel.js) to it; sync.js
   applies the frames that arrive. */

import { noticeIn } from '../shared/notice.js';
import { byId, displayName } from '../shared/dom.js';
import { LiveSocket, newClientMsgId, wsUrl } from '../shared/live-socket.js';
import { loadMeta } from '../shared/meta.js';
import { readJson, writeJson } from '../shared/storage.js';
import { clearAlerts, initAlerts, markRead } from './alerts.js';
import { initApprovals, startApprovals, stopApprovals } from './approvals.js';
import { initAssist, renderAssist, replySent } from './assist.js';
import { initCanned } from './canned.js';
import {
  initConversationView, messages, renderPane, renderPaneChrome, showPendingReply,
} from './conversation-view.js';
import { forgetSession, hideLogin, initLogin, showLogin, storedSession } from './login.js';
import { initQueueList, renderQueue } from './queue-list.js';
import { initSignals, onPaneShown } from './signals.js';
import { S, ensureConv, isMine, pruneConvs, selectedConv } from './state.js';
import { t } from './strings.js';
import { follow, onFrame } from './sync.js';
import { initTools, renderTools } from './tools.js';
import { initTransfer } from './transfer.js';

/** @typedef {import('./state.js').Session} Session */
/** @typedef {import('./sync.js').SyncContext} SyncContext */

const APP_BASE = new URL('./', window.location.href);
const SELECTED_KEY = 'shopbot.console.selected';
const CLOSE_UNAUTHORIZED = 4401;
const NOTICE_MS = 8000;

const ui = {
  appView: byId('app-view'),
  agentName: byId('agent-name'),
  logout: byId('logout-button'),
  presence: /** @type {HTMLSelectElement} */ (byId('presence-select')),
  resolution: /** @type {HTMLSelectElement} */ (byId('close-resolution')),
  connection: byId('connection-status'),
  notice: byId('notice'),
};


/** A toast at the bottom of the page. */
const showNotice = noticeIn(ui.notice, NOTICE_MS);

// ---- socket -------------------------------------------------------------------------------------

const live = new LiveSocket({
  url: () => wsUrl('ws/agent', APP_BASE),
  token: () => S.session?.token || '',
  onFrame: (frame) => {
    // Presence is the agent's own (online: new conversations are routed to them), set from here.
    if (frame.type === 'hello' && frame.agent) ui.presence.value = frame.agent.presence;
    if (frame.type === 'presence') ui.presence.value = frame.status;
    if (frame.type === 'hello') startApprovals(frame.agent);
    onFrame(ctx, frame);
    // The tools panel follows whether the conversation on screen is mine (and its context).
    if (['queue', 'queue_update', 'conversation', 'state', 'claimed'].includes(frame.type)) {
      renderTools();
      renderAssist();
    }
  },
  onPhase: (phase) => { ui.connection.textContent = t(phase); },
  canConnect: () => Boolean(S.session),
  onClosed: (code) => {
    if (code === CLOSE_UNAUTHORIZED || S.authFailed) {
      logout(t('sessionExpired'));
      return true;
    }
    return false;
  },
});

/** @type {SyncContext} */
const ctx = {
  send: (frame) => live.send(frame),
  online: () => {
    live.online();
    ui.connection.textContent = '';
  },
  select: (id, options) => selectConversation(id, options),
  notice: showNotice,
};

// ---- actions ------------------------------------------------------------------------------------

/** @param {string} id */
function claim(id) {
  if (!ctx.send({ type: 'claim', conversation_id: id })) {
    showNotice(t('notConnected'), 'error');
    return;
  }
  S.claiming.add(id);
  renderQueue();
  if (id === S.selectedId) renderPaneChrome();
}

/** @param {'handback' | 'close'} type */
function sendAction(type) {
  const conv = selectedConv();
  if (!conv) return;
  // Closing says how it ended (resolved, customer gone, duplicate, spam), for the team's figures.
  const extra = type === 'close' ? { resolution: ui.resolution.value } : {};
  if (!ctx.send({ type, conversation_id: conv.id, ...extra })) showNotice(t('notConnected'), 'error');
  if (type === 'close') ui.resolution.value = 'resolved';
}

/**
 * @param {string} text
 * @returns {boolean} whether the reply was taken
 */
function reply(text) {
  const conv = selectedConv();
  if (!conv || !text || !isMine(conv.summary)) return false;
  /** @type {import('./state.js').Reply} */
  const item = { client_msg_id: newClientMsgId(), text, status: 'pending' };
  conv.outbox.push(item);
  showPendingReply(item);
  // If offline it is sent after reconnecting, with the same client_msg_id.
  ctx.send({ type: 'message', conversation_id: conv.id, client_msg_id: item.client_msg_id, text });
  replySent(text);
  return true;
}

/**
 * A private note: shown when the server echoes it (team channel only), so no outbox is kept.
 * @param {string} text
 * @returns {boolean} whether it was sent
 */
function note(text) {
  const conv = selectedConv();
  if (!conv || !text) return false;
  if (ctx.send({ type: 'note', conversation_id: conv.id, client_msg_id: newClientMsgId(), text })) return true;
  showNotice(t('notConnected'), 'error');
  return false;
}

/**
 * @param {string | null} id
 * @param {{resume?: boolean}} [options] resume: false when the server opens it anyway (my claim)
 */
function selectConversation(id, { resume = true } = {}) {
  const previous = S.selectedId;
  S.selectedId = id;
  writeJson('session', SELECTED_KEY, id);
  if (previous && previous !== id) pruneConvs();
  if (id) {
    if (!S.convs.has(id) && resume) follow(ctx, id);
    else ensureConv(id);
    markRead(id);
  }
  renderQueue();
  renderPane();
  onPaneShown();
  renderTools();
  renderAssist();
}

// ---- session ------------------------------------------------------------------------------------

/** @param {Session} session */
function startConsole(session) {
  S.session = session;
  S.authFailed = false;
  S.selectedId = readJson('session', SELECTED_KEY) || null;
  hideLogin();
  ui.appView.hidden = false;
  ui.logout.hidden = false;
  ui.presence.hidden = false;
  ui.agentName.textContent = session.display_name || displayName(session.agent_id);
  renderQueue();
  renderPane();
  live.connect();
}

/** @param {string} [message] why, shown on the sign-in form */
function logout(message = '') {
  live.stop();
  forgetSession();
  writeJson('session', SELECTED_KEY, null);
  S.session = null;
  S.queue.clear();
  S.convs.clear();
  S.claiming.clear();
  S.selectedId = null;
  clearAlerts();
  stopApprovals();
  renderTools();
  ui.connection.textContent = '';
  ui.appView.hidden = true;
  ui.logout.hidden = true;
  ui.presence.hidden = true;
  ui.agentName.textContent = '';
  showLogin(message);
}

async function init() {
  initLogin(APP_BASE, startConsole);
  initQueueList({ select: (id) => selectConversation(id), claim });
  initConversationView({
    claim, reply, note, handback: () => sendAction('handback'), close: () => sendAction('close'),
  });
  initAlerts({ open: (id) => selectConversation(id), refresh: renderQueue });
  initTransfer(APP_BASE, (frame) => ctx.send(/** @type {import('../shared/live-socket.js').Frame} */ (frame)));
  initTools(APP_BASE);
  initCanned(APP_BASE);
  initApprovals((id) => selectConversation(id));
  initSignals((frame) => ctx.send(frame), messages);
  initAssist((frame) => ctx.send(frame));
  ui.logout.addEventListener('click', () => logout());
  ui.presence.addEventListener('change', () => {
    if (!ctx.send({ type: 'presence', status: ui.presence.value })) showNotice(t('notConnected'), 'error');
  });
  window.addEventListener('online', () => live.retryNow());
  // Handoff reasons and languages are the server's lists; labels fall back to the codes without them.
  S.meta = await loadMeta(APP_BASE);
  const session = storedSession();
  if (session) startConsole(session);
  else showLogin();
}

init();
