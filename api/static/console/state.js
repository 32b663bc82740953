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
 *   queued_at?: string | null, last_seq?: number}} Summary
 */
/** @typedef {{client_msg_id: string, text: string, status: 'pending' | 'failed'}} Reply */
/**
 * A conversation this console follows. context: undefined = not loaded yet, null = none.
 * @typedef {{id: string, summary: Summary, context: any, messages: Map<number, Message>,
 *   lastSeq: number, outbox: Reply[], unread: number}} Followed
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
    conv = {
      id, summary: S.queue.get(id) || { id }, context: undefined, messages: new Map(), lastSeq: 0, outbox: [],
      unread: 0,
    };
    S.convs.set(id, conv);
  }
  return conv;
}

/** A conversation that left the queue (closed, back to the bot) is dropped once it is not on screen. */
export function pruneConvs() {
  for (const id of [...S.convs.keys()]) {
    if (!S.queue.has(id) && id !== S.selectedId) S.convs.delete(id);
  }
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
