// @ts-check
/* What the console knows: the session, the queue and the conversations it follows. The views read
   it; main.js and sync.js change it. */

import { EMPTY_META, findLanguage, reasonLabel as metaReasonLabel } from '../shared/meta.js';
import { t } from './strings.js';

/** @typedef {import('../shared/message-list.js').Message} Message */
/**
 * A conversation summary (docs/protocol.md, "Agent socket").
 * @typedef {{id: string, state?: string, locale?: string | null, language?: string | null,
 *   customer_id?: string | null, assigned_agent_id?: string | null, handoff_reason?: string | null,
 *   customer_presence?: 'online' | 'away' | 'gone', customer_read_seq?: number, agent_read_seq?: number,
 *   contact_email?: string | null,
 *   queued_at?: string | null, last_seq?: number}} Summary
 */
/** @typedef {{client_msg_id: string, text: string, status: 'pending' | 'failed'}} Reply */
/**
 * A conversation this console follows. context: undefined = not loaded yet, null = none. baseSeq:
 * the last message it had when first opened (those are history, never unread).
 * readSent: the last read receipt I sent for it.
 * @typedef {{id: string, summary: Summary, context: any, messages: Map<number, Message>,
 *   lastSeq: number, baseSeq: number, outbox: Reply[], readSent?: number}} Followed
 */
/** @typedef {{agent_id: string, display_name?: string, token: string}} Session */

export const S = {
  /** @type {Session | null} */
  session: null,
  authFailed: false,
  /** @type {Map<string, Summary>} queued and assigned conversations */
  queue: new Map(),
  /** @type {Map<string, Followed>} */
  convs: new Map(),
  /** @type {string | null} */
  selectedId: null,
  /** @type {Set<string>} conversations with a claim on its way */
  claiming: new Set(),
  /**
   * Unread per conversation (waiting or mine, not on screen): 1 for a conversation that started
   * waiting or became mine, plus 1 per new customer message in my chats (console/alerts.js).
   * @type {Map<string, number>}
   */
  unread: new Map(),
  /** @type {import('../shared/meta.js').Meta} the server's reasons and languages */
  meta: EMPTY_META,
};

/**
 * @param {Summary | null | undefined} summary
 * @returns {boolean} whether it is assigned to the signed-in agent
 */
export function isMine(summary) {
  return summary?.state === 'assigned' && summary.assigned_agent_id === S.session?.agent_id;
}

/** @returns {Followed | null} the conversation on screen */
export function selectedConv() {
  return (S.selectedId && S.convs.get(S.selectedId)) || null;
}

/**
 * The followed conversation `id`, created (empty) if it is not followed yet.
 * @param {string} id
 * @returns {Followed}
 */
export function ensureConv(id) {
  let conv = S.convs.get(id);
  if (!conv) {
    const summary = S.queue.get(id) || { id };
    conv = {
      id, summary, context: undefined, messages: new Map(), lastSeq: 0, baseSeq: summary.last_seq || 0, outbox: [],
    };
    S.convs.set(id, conv);
  }
  return conv;
}

/**
 * A conversation that left the queue (closed, back to the bot) is dropped once it is not on screen.
 * Unread counts are kept only for waiting conversations and mine.
 */
export function pruneConvs() {
  for (const id of [...S.convs.keys()]) {
    if (!S.queue.has(id) && id !== S.selectedId) S.convs.delete(id);
  }
  for (const id of [...S.unread.keys()]) {
    const summary = S.queue.get(id);
    if (!summary || !(summary.state === 'queued' || isMine(summary))) S.unread.delete(id);
  }
}

/** @returns {number} the unread of every conversation together */
export function unreadTotal() {
  let total = 0;
  for (const n of S.unread.values()) total += n;
  return total;
}

/**
 * @param {string | null | undefined} code
 * @returns {string}
 */
export function reasonLabel(code) {
  return metaReasonLabel(S.meta, code, t('handedOff'));
}

/**
 * "English (en)", from the server's list.
 * @param {string | null | undefined} code
 * @returns {string}
 */
export function languageLabel(code) {
  const language = findLanguage(S.meta, code);
  return language ? `${language.name} (${language.code})` : code || '—';
}
