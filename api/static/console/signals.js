// @ts-check
/* Typing indicators and read receipts in the console (docs/protocol.md): the customer's typing
   shown under the chat on screen, mine sent while I write a reply (not a private note), what the
   customer has read marked on my messages, and what I have read sent when my chat is on screen. */

import { byId } from '../shared/dom.js';
import { TypingLine, typingNotifier } from '../shared/typing.js';
import { S, isMine, selectedConv } from './state.js';
import { t } from './strings.js';

/** @typedef {import('../shared/live-socket.js').Frame} Frame */
/** @typedef {import('../shared/message-list.js').MessageList} MessageList */

const line = new TypingLine(byId('typing-indicator'));
/** @type {(frame: Frame) => boolean} */
let send = () => false;
/** @type {MessageList | null} */
let list = null;

/**
 * @param {(frame: Frame) => boolean} sendFrame
 * @param {MessageList} messages the conversation pane's list
 */
export function initSignals(sendFrame, messages) {
  send = sendFrame;
  list = messages;
  const input = byId('reply-input');
  const noteMode = /** @type {HTMLInputElement} */ (byId('note-toggle'));
  input.addEventListener('input', typingNotifier(() => {
    const conv = selectedConv();
    return Boolean(conv && isMine(conv.summary) && !noteMode.checked && send({ type: 'typing', conversation_id: conv.id }));
  }));
  document.addEventListener('visibilitychange', readSelected);
}

/** My chat on screen, the tab visible: tell the customer how far I have read. */
export function readSelected() {
  const conv = selectedConv();
  if (!conv || !isMine(conv.summary) || document.visibilityState !== 'visible') return;
  let seq = 0;
  for (const m of conv.messages.values()) if (m.sender === 'customer' && Number(m.seq) > seq) seq = Number(m.seq);
  if (seq > (conv.readSent || 0) && send({ type: 'read', conversation_id: conv.id, seq })) conv.readSent = seq;
}

/** @param {Frame} frame */
export function onTyping(frame) {
  if (frame.who === 'customer' && frame.conversation_id === S.selectedId) line.show(t('customerTyping'));
}

/** @param {Frame} frame */
export function onRead(frame) {
  const conv = S.convs.get(frame.conversation_id);
  if (!conv || frame.who !== 'customer') return;
  conv.summary = { ...conv.summary, customer_read_seq: Number(frame.seq) };
  if (frame.conversation_id === S.selectedId) list?.markSeen(Number(frame.seq));
}

/**
 * A message shown in the chat on screen: a customer's ends their typing and is read at once.
 * @param {import('../shared/message-list.js').Message} message
 */
export function onShown(message) {
  if (message.sender !== 'customer') return;
  line.hide();
  readSelected();
}

/** The pane was redrawn (another chat, or the same one reloaded). */
export function onPaneShown() {
  line.hide();
  const conv = selectedConv();
  if (conv) list?.markSeen(conv.summary.customer_read_seq || 0);
  readSelected();
}
