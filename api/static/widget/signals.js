// @ts-check
/* Typing indicators and read receipts in the widget (docs/protocol.md): the agent's or the bot's
   typing shown above the composer, the customer's sent while they type to a person, what the
   agent has read marked on the customer's messages, and what the customer has read (the panel
   open on a visible page) sent back. */

import { displayName } from '../shared/dom.js';
import { typingNotifier } from '../shared/typing.js';

/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {import('../shared/live-socket.js').Frame} Frame */

/** The bot's turn never lasts this long; the line goes even if `done` is lost. */
const BOT_TYPING_MAX_MS = 30_000;

/** @param {Chat} chat */
export function initSignals(chat) {
  chat.panel.input.addEventListener('input', typingNotifier(
    () => chat.convState === 'assigned' && chat.live.send({ type: 'typing' })));
}

/**
 * The frames of this module: typing, read, turn (the bot's typing), and hello's receipt.
 * @param {Chat} chat
 * @param {Frame} frame
 */
export function onSignal(chat, frame) {
  const { panel, t } = chat;
  switch (frame.type) {
    case 'hello': chat.messages.markSeen(Number(frame.agent_read_seq) || 0); break;
    case 'typing':
      if (frame.who === 'agent') panel.typing.show(t('agentTyping', { agent: displayName(frame.agent_id, t('agent')) }));
      break;
    case 'read': if (frame.who === 'agent') chat.messages.markSeen(Number(frame.seq)); break;
    case 'turn':
      if (frame.state === 'started') panel.typing.show(t('botTyping'), BOT_TYPING_MAX_MS);
      else panel.typing.hide();
      break;
    default: break;
  }
}

/**
 * A message arrived: an answer ends the typing line, and what the customer is looking at is read.
 * @param {Chat} chat
 * @param {import('../shared/message-list.js').Message} message
 */
export function onMessage(chat, message) {
  if (message.sender === 'agent') {
    chat.panel.typing.hide();
    chat.lastAgentSeq = Math.max(chat.lastAgentSeq, Number(message.seq));
  }
  readIfLooking(chat);
}

/**
 * The panel open on a visible page: tell the agent how far the customer has read.
 * @param {Chat} chat
 */
export function readIfLooking(chat) {
  if (!chat.panel.isOpen() || document.visibilityState !== 'visible') return;
  if (chat.lastAgentSeq > chat.readSent && chat.live.send({ type: 'read', seq: chat.lastAgentSeq })) {
    chat.readSent = chat.lastAgentSeq;
  }
}
