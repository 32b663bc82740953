// @ts-check
/* Opening a conversation: a new one over HTTP, or the stored one (its history over HTTP, then the
   socket from there). */

import { postJson, requestJson } from '../shared/http.js';
import { writeJson } from '../shared/storage.js';
import { showWaiting } from './outbox.js';

/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {import('./chat.js').StoredConversation} StoredConversation */
/** @typedef {import('../shared/message-list.js').Message} Message */

/** @param {Chat} chat */
function reset(chat) {
  chat.live.stop();
  chat.conv = null;
  chat.convState = null;
  chat.fatal = null;
  chat.banner = null;
  chat.buttonTitles.clear();
  chat.lastAgentSeq = 0;
  chat.readSent = 0;
  chat.panel.typing.hide();
  chat.messages.clear();
  writeJson('local', chat.storeKey, null);
  chat.renderStatus();
  chat.panel.showBanner(chat.banner);
  chat.updateComposer();
}

/** @param {Chat} chat */
export async function startConversation(chat) {
  const generation = ++chat.generation;
  reset(chat);
  chat.setConnection('connecting');
  try {
    const token = chat.customerToken;
    const customerToken = typeof token === 'function' ? await token() : token || null;
    const locale = chat.locale();
    const created = await requestJson(chat.base, 'api/widget/conversations', postJson({ locale, customer_token: customerToken }));
    if (generation !== chat.generation) return;
    chat.conv = {
      conversation_id: created.conversation_id, token: created.token, last_seq: 0, agent_id: null, locale, outbox: [],
    };
    chat.save();
    chat.setConvState(created.state);
    chat.live.connect();
  } catch (err) {
    if (generation !== chat.generation) return;
    console.warn('could not start a conversation', err);
    chat.setConnection('idle');
    chat.banner = { kind: 'startFailed' };
    chat.panel.showBanner(chat.banner);
    chat.updateComposer();
  }
}

/**
 * One page of the conversation's history after `afterSeq`.
 * @param {Chat} chat
 * @param {StoredConversation} conv
 * @param {number} afterSeq
 * @returns {Promise<{messages: Message[], hasMore: boolean, nextAfterSeq: number}>}
 */
async function historyPage(chat, conv, afterSeq) {
  const url = new URL(
    `api/widget/conversations/${encodeURIComponent(conv.conversation_id)}/messages?after_seq=${afterSeq}`, chat.base,
  );
  const response = await fetch(url, { headers: { 'X-Conversation-Token': conv.token } });
  if (!response.ok) throw new Error(`GET ${url.pathname}: HTTP ${response.status}`);
  return {
    messages: await response.json(),
    hasMore: response.headers.get('X-Has-More') === 'true',
    nextAfterSeq: Number(response.headers.get('X-Next-After-Seq')) || 0,
  };
}

/**
 * Re-opens a stored conversation: its history over HTTP, then the socket from there.
 * @param {Chat} chat
 * @param {StoredConversation} stored
 */
export async function resumeConversation(chat, stored) {
  const generation = ++chat.generation;
  const conv = {
    ...stored, agent_id: stored.agent_id ?? null, last_seq: Number(stored.last_seq) || 0,
    outbox: Array.isArray(stored.outbox) ? stored.outbox : [],
  };
  chat.conv = conv;
  showWaiting(chat);
  chat.updateComposer();
  chat.setConnection('connecting');
  try {
    // The history comes in pages: ask again from the page's end while the server says there is more.
    let afterSeq = 0;
    for (;;) {
      const page = await historyPage(chat, conv, afterSeq);
      if (generation !== chat.generation) return;
      page.messages.forEach((m) => chat.onServerMessage(m));
      if (!page.hasMore || page.nextAfterSeq <= afterSeq) break;
      afterSeq = page.nextAfterSeq;
    }
  } catch (err) {
    // Offline or a bad token: the socket reports the latter; it resumes after the stored last_seq.
    console.warn('could not load the history', err);
  }
  if (generation === chat.generation) chat.live.connect();
}
