// @ts-check
/* Agent assist (docs/protocol.md, "Agent assist"): for each customer turn in my chat, what the
   assistant read, the fitting canned reply in the customer's language and the fitting tool,
   prefilled. The agent uses the reply (sent as is or edited), opens the tool, or dismisses it;
   each choice is reported once, for evaluating the assistant. The bot itself never speaks here. */

import { byId, h } from '../shared/dom.js';
import { S, isMine, selectedConv } from './state.js';
import { t } from './strings.js';
import { KINDS, prefillTool } from './tools.js';

/** @typedef {import('../shared/live-socket.js').Frame} Frame */
/**
 * @typedef {{id: number, conversation_id: string, seq: number, intent: string | null, confidence: number,
 *   language: string, canned: {id: number, shortcut: string, title: string, text: string} | null,
 *   tool: {kind: string, prefill: Record<string, any>} | null, outcome: string | null}} Suggestion
 */

const box = byId('assist-box');
const input = /** @type {HTMLTextAreaElement} */ (byId('reply-input'));
/** @type {Map<string, Suggestion>} the newest undecided suggestion per conversation */
const latest = new Map();
/** @type {{id: number, conversationId: string, text: string} | null} a suggested reply put in the box */
let used = null;
/** @type {(frame: Frame) => boolean} */
let send = () => false;

/** @param {(frame: Frame) => boolean} sendFrame */
export function initAssist(sendFrame) {
  send = sendFrame;
}

/** @param {Suggestion} suggestion a `suggestion` frame's */
export function suggestionArrived(suggestion) {
  const before = latest.get(suggestion.conversation_id);
  // An unanswered earlier one was passed over: the agent answered otherwise, or not yet.
  if (before && before.id !== suggestion.id && used?.id !== before.id) decide(before, 'ignored');
  latest.set(suggestion.conversation_id, suggestion);
  if (suggestion.conversation_id === S.selectedId) renderAssist();
}

/**
 * @param {Suggestion} suggestion
 * @param {'sent' | 'edited' | 'tool' | 'ignored'} outcome
 */
function decide(suggestion, outcome) {
  send({ type: 'suggestion', conversation_id: suggestion.conversation_id, suggestion_id: suggestion.id, outcome });
  if (latest.get(suggestion.conversation_id)?.id === suggestion.id) latest.delete(suggestion.conversation_id);
}

/**
 * My reply went out: if it came from a suggestion, say whether it was sent as suggested or edited.
 * @param {string} text
 */
export function replySent(text) {
  const conv = selectedConv();
  if (!used || !conv || used.conversationId !== conv.id) return;
  const suggestion = latest.get(conv.id);
  const outcome = text.trim() === used.text.trim() ? 'sent' : 'edited';
  send({ type: 'suggestion', conversation_id: conv.id, suggestion_id: used.id, outcome });
  if (suggestion?.id === used.id) latest.delete(conv.id);
  used = null;
  renderAssist();
}

/** Shows the suggestion for my chat on screen, if there is one. */
export function renderAssist() {
  const conv = selectedConv();
  const suggestion = conv && isMine(conv.summary) ? latest.get(conv.id) : undefined;
  box.hidden = !suggestion;
  if (!suggestion) {
    box.replaceChildren();
    return;
  }
  const percent = Math.round((suggestion.confidence || 0) * 100);
  const head = h('div', { className: 'assist-head' },
    h('span', { className: 'badge badge-accent' }, t('assistReads')), ' ',
    h('code', { 'data-testid': 'assist-intent' }, suggestion.intent || '?'), ` · ${percent}%`);
  const actions = h('div', { className: 'assist-actions' });
  const { canned, tool } = suggestion;
  if (canned) {
    actions.append(h('button', {
      type: 'button', className: 'btn btn-small btn-primary', 'data-testid': 'assist-use-reply',
      onclick: () => {
        input.value = canned.text;
        input.dispatchEvent(new Event('input'));
        input.focus();
        used = { id: suggestion.id, conversationId: suggestion.conversation_id, text: canned.text };
      },
    }, t('assistUseReply')));
  }
  const kind = tool && /** @type {Record<string, {label: string}>} */ (KINDS)[tool.kind];
  if (tool && kind) {
    actions.append(h('button', {
      type: 'button', className: 'btn btn-small', 'data-testid': 'assist-open-tool',
      onclick: () => {
        prefillTool(tool.kind, tool.prefill);
        decide(suggestion, 'tool');
        renderAssist();
      },
    }, t('assistOpenTool', { tool: kind.label })));
  }
  actions.append(h('button', {
    type: 'button', className: 'btn btn-small btn-link', 'data-testid': 'assist-dismiss',
    onclick: () => {
      decide(suggestion, 'ignored');
      renderAssist();
    },
  }, t('assistDismiss')));
  const parts = [head,
    canned ? h('blockquote', { className: 'assist-reply', dir: 'auto', 'data-testid': 'assist-reply' }, canned.text)
      : null,
    tool && !kind ? h('p', { className: 'muted', 'data-testid': 'assist-record' }, recordLine(tool)) : null,
    actions];
  box.replaceChildren(...parts.filter((part) => part !== null));
}

/**
 * A card tool (order, invoice): what the record says, from the suggestion's prefill.
 * @param {{kind: string, prefill: Record<string, any>}} tool
 */
function recordLine(tool) {
  const ref = tool.prefill.invoice_id || tool.prefill.order_id;
  return ref ? t('assistRecord', { ref }) : t('assistNoRecord');
}
