// @ts-check
/* The customer's messages not yet acknowledged: kept with the stored conversation (so a reload
   shows them pending and sends them again), sent again with the same client_msg_id on every
   `hello` and after an `overloaded` refusal (the server stores each once), failed only when the
   server refuses them otherwise or the socket will not be retried. */

import { newClientMsgId } from '../shared/live-socket.js';

/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {import('../shared/live-socket.js').Frame} Frame */
/** @typedef {{client_msg_id: string, text: string, label?: string}} OutboxItem */

/**
 * @param {Chat} chat
 * @param {OutboxItem} item
 */
function showPending(chat, item) {
  chat.messages.place(chat.messages.pending({ clientMsgId: item.client_msg_id, text: item.label || item.text }));
}

/**
 * @param {Chat} chat
 * @param {OutboxItem} item
 */
function sendFrame(chat, item) {
  return chat.live.send({ type: 'message', client_msg_id: item.client_msg_id, text: item.text });
}

/**
 * Shows the message at once (pending) and sends it now, or after (re)connecting.
 * @param {Chat} chat with a conversation
 * @param {string} text what is sent
 * @param {string} label what the customer sees (a quick reply's title for its payload)
 */
export function queueMessage(chat, text, label) {
  const conv = /** @type {import('./chat.js').StoredConversation} */ (chat.conv);
  const item = { client_msg_id: newClientMsgId(), text, label };
  conv.outbox.push(item);
  chat.save();
  showPending(chat, item);
  if (chat.live.connected) sendFrame(chat, item);
}

/** A resumed conversation's waiting messages, shown pending (sent on `hello`). @param {Chat} chat */
export function showWaiting(chat) {
  for (const item of chat.conv?.outbox || []) showPending(chat, item);
}

/**
 * On `hello`: unacknowledged messages are re-sent with the same client_msg_id: the server stores each once.
 * @param {Chat} chat
 */
export function resendWaiting(chat) {
  for (const item of chat.conv?.outbox || []) sendFrame(chat, item);
}

/**
 * No longer waiting: acknowledged, or come back as a stored message.
 * @param {Chat} chat
 * @param {string | undefined} clientMsgId
 */
export function settle(chat, clientMsgId) {
  if (!chat.conv || !clientMsgId) return;
  const before = chat.conv.outbox.length;
  chat.conv.outbox = chat.conv.outbox.filter((item) => item.client_msg_id !== clientMsgId);
  if (chat.conv.outbox.length !== before) chat.save();
}

/**
 * @param {Chat} chat
 * @param {string} clientMsgId
 */
function fail(chat, clientMsgId) {
  chat.messages.markFailed(clientMsgId);
  settle(chat, clientMsgId);
}

/** Every waiting message failed: the socket will not be retried. @param {Chat} chat */
export function failWaiting(chat) {
  for (const item of chat.conv?.outbox || []) fail(chat, item.client_msg_id);
}

/**
 * An error frame about a message.
 * @param {Chat} chat
 * @param {Frame} frame
 * @returns {boolean} whether the message will be sent again (nothing to tell the customer)
 */
export function onRefused(chat, frame) {
  // The server had too many messages waiting to be stored: nothing was stored, and the same frame
  // is welcome again after `retry_after_s`; the message stays pending meanwhile (a reconnect in
  // between sends it anyway, and the server stores it once).
  const waiting = frame.code === 'overloaded' && chat.conv?.outbox.find((i) => i.client_msg_id === frame.client_msg_id);
  if (waiting) {
    window.setTimeout(() => {
      if (chat.live.connected && chat.conv?.outbox.includes(waiting)) sendFrame(chat, waiting);
    }, Math.max(1, Number(frame.retry_after_s) || 1) * 1000);
    return true;
  }
  if (frame.client_msg_id) fail(chat, frame.client_msg_id);
  return false;
}
