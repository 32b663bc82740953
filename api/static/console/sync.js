// @ts-check
/* The agent socket's frames (docs/protocol.md, "Agent socket") applied to the console's state and
   views. */

import { messageArrived, summaryArrived } from './alerts.js';
import { approvalArrived } from './approvals.js';
import { suggestionArrived } from './assist.js';
import { messages, renderPane, renderPaneChrome } from './conversation-view.js';
import { renderContext } from './context-panel.js';
import { renderQueue } from './queue-list.js';
import { onPaneShown, onRead, onShown, onTyping } from './signals.js';
import { S, ensureConv, isMine, pruneConvs } from './state.js';
import { hasText, t } from './strings.js';
import { toolRequestArrived } from './tools.js';

/** @typedef {import('../shared/live-socket.js').Frame} Frame */
/** @typedef {import('./state.js').Summary} Summary */
/** @typedef {import('./state.js').Followed} Followed */
/**
 * What the frames need from main.js.
 * @typedef {{send: (frame: Frame) => boolean, online: () => void, select: (id: string | null,
 *   options?: {resume?: boolean}) => void, notice: (text: string, kind?: 'info' | 'error') => void}} SyncContext
 */

/**
 * Starts following a conversation: the server sends its context and messages, then live ones.
 * @param {SyncContext} ctx
 * @param {string} id
 * @returns {Followed}
 */
export function follow(ctx, id) {
  const conv = ensureConv(id);
  ctx.send({ type: 'resume', conversation_id: id, last_seq: conv.lastSeq });
  return conv;
}

/**
 * @param {SyncContext} ctx
 * @param {Frame} frame
 */
export function onFrame(ctx, frame) {
  switch (frame.type) {
    case 'hello': onHello(ctx); break;
    case 'queue': onQueue(ctx, frame.conversations || []); break;
    case 'queue_update': if (frame.conversation) onQueueUpdate(ctx, frame.conversation); break;
    case 'claimed':
      S.claiming.delete(frame.conversation_id);
      ensureConv(frame.conversation_id); // the server opens it for us: a conversation frame and the messages follow
      ctx.select(frame.conversation_id, { resume: false });
      break;
    case 'conversation':
      if (frame.conversation) summaryArrived(knownSummary(frame.conversation.id), frame.conversation);
      if (frame.conversation) onConversation(frame.conversation, frame.context);
      // Routed to me while I look at nothing: show it (the server already follows it for me).
      if (frame.conversation && !S.selectedId && isMine(frame.conversation)) {
        ctx.select(frame.conversation.id, { resume: false });
      }
      break;
    case 'message': if (frame.message) onMessage(frame.conversation_id, frame.message); break;
    case 'state': onState(frame); break;
    case 'ack': onAck(frame); break;
    case 'typing': onTyping(frame); break;
    case 'suggestion': if (frame.suggestion) suggestionArrived(frame.suggestion); break;
    case 'read': onRead(frame); break;
    case 'error': onError(ctx, frame); break;
    case 'approval': // a tool request waiting for a supervisor, decided or applied (console/tools.js)
      if (frame.request) {
        toolRequestArrived(frame.request);
        approvalArrived(frame.request);
      }
      break;
    default: break; // unknown frames are ignored so the server can add new ones
  }
}

/** @param {SyncContext} ctx */
function onHello(ctx) {
  ctx.online();
  // After a reconnect: pick up every followed conversation where we left it, then retry replies.
  for (const conv of S.convs.values()) ctx.send({ type: 'resume', conversation_id: conv.id, last_seq: conv.lastSeq });
  for (const conv of S.convs.values()) {
    for (const item of conv.outbox) {
      if (item.status === 'pending') {
        ctx.send({ type: 'message', conversation_id: conv.id, client_msg_id: item.client_msg_id, text: item.text });
      }
    }
  }
}

/**
 * @param {SyncContext} ctx
 * @param {Summary[]} conversations
 */
function onQueue(ctx, conversations) {
  S.queue = new Map(conversations.map((c) => [c.id, c]));
  for (const conv of S.convs.values()) {
    const summary = S.queue.get(conv.id);
    if (summary) conv.summary = summary;
  }
  pruneConvs();
  // Follow my own conversations (so customer replies arrive) and the one on screen before a reload.
  for (const summary of S.queue.values()) if (isMine(summary) && !S.convs.has(summary.id)) follow(ctx, summary.id);
  if (S.selectedId && !S.convs.has(S.selectedId)) follow(ctx, S.selectedId);
  renderQueue();
  renderPane();
  onPaneShown();
}

/**
 * @param {SyncContext} ctx
 * @param {Summary} summary
 */
function onQueueUpdate(ctx, summary) {
  summaryArrived(knownSummary(summary.id), summary);
  if (['queued', 'ticket', 'assigned'].includes(summary.state || '')) S.queue.set(summary.id, summary);
  else S.queue.delete(summary.id);
  // My own claim: the server opens the conversation for this socket, so no resume is needed.
  const claimedHere = S.claiming.has(summary.id) && isMine(summary);
  if (summary.state !== 'queued' && summary.state !== 'ticket') S.claiming.delete(summary.id);
  const conv = S.convs.get(summary.id);
  if (conv) conv.summary = summary;
  else if (claimedHere) ensureConv(summary.id);
  else if (isMine(summary)) follow(ctx, summary.id);
  pruneConvs();
  renderQueue();
  if (summary.id === S.selectedId) renderPaneChrome();
}

/**
 * @param {Summary} summary
 * @param {any} context
 */
function onConversation(summary, context) {
  const conv = ensureConv(summary.id);
  // Opened for the first time: what it has so far is history, not unread.
  if (conv.context === undefined) conv.baseSeq = Math.max(conv.baseSeq, summary.last_seq || 0);
  conv.summary = summary;
  conv.context = context ?? null;
  if (['queued', 'ticket', 'assigned'].includes(summary.state || '')) S.queue.set(summary.id, summary);
  renderQueue();
  if (summary.id === S.selectedId) {
    renderPaneChrome();
    renderContext(conv.context);
  }
}

/**
 * @param {string} id
 * @param {import('../shared/message-list.js').Message} message
 */
function onMessage(id, message) {
  const conv = S.convs.get(id);
  if (!conv) return;
  const seq = Number(message.seq);
  if (seq > conv.lastSeq) conv.lastSeq = seq;
  const known = conv.messages.has(seq);
  conv.messages.set(seq, message);
  if (message.client_msg_id) conv.outbox = conv.outbox.filter((i) => i.client_msg_id !== message.client_msg_id);
  if (id === S.selectedId) {
    messages.show(message);
    onShown(message);
  }
  if (!known && messageArrived(conv, message)) renderQueue();
}

/**
 * @param {string} id
 * @returns {Summary | undefined} what the console knew of a conversation before a frame about it
 */
function knownSummary(id) {
  return S.queue.get(id) || S.convs.get(id)?.summary;
}

/** @param {Frame} frame */
function onState(frame) {
  const conv = S.convs.get(frame.conversation_id);
  if (!conv) return;
  conv.summary = {
    ...conv.summary, state: frame.state, assigned_agent_id: frame.assigned_agent_id ?? null,
    handoff_reason: frame.reason ?? null,
  };
  if (frame.conversation_id === S.selectedId) renderPaneChrome();
}

/** @param {Frame} frame */
function onAck(frame) {
  const conv = S.convs.get(frame.conversation_id);
  if (!conv || !S.session) return;
  const seq = Number(frame.seq);
  const item = conv.outbox.find((i) => i.client_msg_id === frame.client_msg_id);
  conv.outbox = conv.outbox.filter((i) => i.client_msg_id !== frame.client_msg_id);
  // Keep the reply on screen until its echo arrives. lastSeq is not advanced: only message
  // frames do that, as earlier messages may still be on their way.
  if (item && !conv.messages.has(seq)) {
    conv.messages.set(seq, {
      seq, sender: 'agent', author_id: S.session.agent_id, text: item.text,
      client_msg_id: item.client_msg_id, created_at: new Date().toISOString(),
    });
  }
  if (conv.id === S.selectedId) {
    const el = messages.byClientId.get(frame.client_msg_id);
    if (el && !el.dataset.seq) messages.markDelivered(el, seq);
  }
}

/**
 * @param {string} id
 * @param {string} clientMsgId
 */
export function markFailed(id, clientMsgId) {
  const item = S.convs.get(id)?.outbox.find((i) => i.client_msg_id === clientMsgId);
  if (item) item.status = 'failed';
  if (id === S.selectedId) messages.markFailed(clientMsgId);
}

/** @param {Frame} frame */
function errorText(frame) {
  const key = `error_${frame.code}`;
  if (frame.code === 'not_allowed') return t(key, { detail: frame.detail || t('notAllowedDetail') });
  if (hasText(key)) return t(key);
  return t('error_generic', { code: frame.code, detail: frame.detail || '' });
}

/**
 * @param {SyncContext} ctx
 * @param {Frame} frame
 */
function onError(ctx, frame) {
  const id = frame.conversation_id;
  if (frame.code === 'unauthorized') {
    S.authFailed = true; // the socket closes with 4401 next
    return;
  }
  if (id) S.claiming.delete(id);
  if (id && frame.client_msg_id) markFailed(id, frame.client_msg_id);
  if (id && frame.code === 'not_found') {
    S.convs.delete(id);
    if (S.selectedId === id) ctx.select(null);
  }
  ctx.notice(errorText(frame), 'error');
  renderQueue();
  if (id && id === S.selectedId) renderPaneChrome();
}
