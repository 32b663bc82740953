// @ts-check
/* The conversation on screen: header, state, the actions (claim, hand back, close), the messages
   and the reply composer. Only the assigned agent may write, hand back or close. */

import { autoGrow, bindComposer, byId, displayName } from '../shared/dom.js';
import { MessageList } from '../shared/message-list.js';
import { renderContext } from './context-panel.js';
import { S, isMine, selectedConv } from './state.js';
import { t } from './strings.js';
import { renderTransfer } from './transfer.js';

/** @typedef {import('./state.js').Summary} Summary */
/** @typedef {import('./state.js').Reply} Reply */
/**
 * @typedef {{claim: (id: string) => void, handback: () => void, close: () => void,
 *   reply: (text: string) => boolean, note: (text: string) => boolean}} ConversationActions
 */

const ui = {
  emptyPane: byId('empty-pane'),
  pane: byId('conversation-pane'),
  title: byId('conv-title'),
  state: byId('conv-state'),
  presence: byId('customer-presence'),
  claim: /** @type {HTMLButtonElement} */ (byId('pane-claim-button')),
  handback: /** @type {HTMLButtonElement} */ (byId('handback-button')),
  close: /** @type {HTMLButtonElement} */ (byId('close-button')),
  list: /** @type {HTMLOListElement} */ (byId('message-list')),
  form: /** @type {HTMLFormElement} */ (byId('reply-form')),
  input: /** @type {HTMLTextAreaElement} */ (byId('reply-input')),
  send: /** @type {HTMLButtonElement} */ (byId('reply-send')),
  noteMode: /** @type {HTMLInputElement} */ (byId('note-toggle')),
  hint: byId('composer-hint'),
};

/** The selected conversation's messages; "mine" are the agents' replies. */
export const messages = new MessageList(ui.list, {
  mine: 'agent',
  authorLabel: (sender, authorId) => {
    if (sender === 'agent') return displayName(authorId, t('agent'));
    if (sender === 'note') return t('noteBy', { agent: displayName(authorId, t('agent')) });
    /** @type {Record<string, string>} */
    const labels = { customer: t('senderCustomer'), bot: t('senderBot') };
    return sender === 'system' ? null : labels[sender] || sender;
  },
  statusLabel: (status) => (status === 'seen' ? { text: '✓✓', title: t('seen') }
    : { text: { pending: t('sending'), delivered: '✓', failed: t('notSent') }[status] || '' }),
});

/** @param {ConversationActions} actions */
export function initConversationView(actions) {
  bindComposer(ui.form, ui.input, () => {
    const text = ui.input.value.trim();
    if (ui.noteMode.checked ? actions.note(text) : actions.reply(text)) {
      ui.input.value = '';
      autoGrow(ui.input);
      ui.input.focus();
    }
  });
  ui.claim.addEventListener('click', () => S.selectedId && actions.claim(S.selectedId));
  ui.handback.addEventListener('click', actions.handback);
  ui.close.addEventListener('click', actions.close);
  ui.noteMode.addEventListener('change', renderPaneChrome);
}

/** Everything of the selected conversation: chrome, context and messages. */
export function renderPane() {
  const conv = selectedConv();
  ui.emptyPane.hidden = Boolean(conv);
  ui.pane.hidden = !conv;
  if (!conv) return;
  renderPaneChrome();
  renderContext(conv.context);
  messages.fill([...conv.messages.values()], conv.outbox.map((item) => ({
    clientMsgId: item.client_msg_id, text: item.text, authorId: S.session?.agent_id, status: item.status,
  })));
}

/**
 * @param {Summary} summary
 * @returns {[string, string]} the state badge's text and class
 */
function stateBadge(summary) {
  switch (summary.state) {
    case 'queued': return [t('stateQueued'), 'badge-warning'];
    case 'ticket': return [t('stateTicket'), 'badge-warning'];
    case 'assigned':
      return isMine(summary) ? [t('stateMine'), 'badge-success']
        : [t('stateOther', { agent: displayName(summary.assigned_agent_id, t('agent')) }), ''];
    case 'bot': return [t('stateBot'), ''];
    case 'closed': return [t('stateClosed'), 'badge-danger'];
    default: return [t('stateLoading'), ''];
  }
}

/**
 * @param {Summary} summary
 * @returns {string} why the agent cannot reply, or ""
 */
function composerHint(summary) {
  switch (summary.state) {
    case 'queued': case 'ticket': return t('hintQueued');
    case 'assigned':
      return isMine(summary) ? '' : t('hintOther', { agent: displayName(summary.assigned_agent_id, t('agent')) });
    case 'bot': return t('hintBot');
    case 'closed': return t('hintClosed');
    default: return '';
  }
}

/** Header, state and which controls are enabled (everything except context and messages). */
export function renderPaneChrome() {
  const conv = selectedConv();
  if (!conv) return;
  const { summary } = conv;
  const mine = isMine(summary);
  const [label, badgeClass] = stateBadge(summary);
  ui.title.textContent = `${summary.customer_id || t('guest')} · ${conv.id.slice(0, 8)}`;
  ui.title.title = conv.id;
  ui.state.textContent = label;
  ui.state.className = `badge ${badgeClass}`.trim();
  const presence = summary.customer_presence || 'gone';
  ui.presence.textContent = t(`customer_${presence}`);
  ui.presence.dataset.presence = presence;
  ui.presence.className = `badge presence ${presence === 'online' ? 'badge-success' : ''}`.trim();
  ui.claim.hidden = summary.state !== 'queued' && summary.state !== 'ticket';
  ui.claim.disabled = S.claiming.has(conv.id);
  ui.handback.disabled = !mine;
  ui.close.disabled = !mine;
  // Any agent may leave a private note for the team; only the assigned agent writes to the customer.
  const noting = ui.noteMode.checked;
  ui.form.classList.toggle('noting', noting);
  ui.input.placeholder = noting ? t('notePlaceholder') : t('replyPlaceholder');
  ui.input.disabled = !mine && !noting;
  ui.send.disabled = !mine && !noting;
  ui.send.textContent = noting ? t('addNote') : t('send');
  ui.hint.textContent = composerHint(summary);
  ui.hint.hidden = mine || noting;
  renderTransfer();
}

/**
 * Shows my reply at once, before the server stored it.
 * @param {Reply} item
 */
export function showPendingReply(item) {
  messages.place(messages.pending({
    clientMsgId: item.client_msg_id, text: item.text, authorId: S.session?.agent_id, status: item.status,
  }));
}
