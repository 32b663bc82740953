// @ts-check
/* The message list both pages show: bubbles in seq order, the sender's own not-yet-stored messages
   after them, an author line, a time and a delivery status. Message text is plain text: it goes in
   with textContent, never as markup, and each bubble takes its direction from its own text. */

import { h } from './dom.js';
import { formatTime } from './time.js';

/** @typedef {'customer' | 'bot' | 'agent' | 'system' | 'note'} Sender */
/** @typedef {'pending' | 'delivered' | 'seen' | 'failed'} DeliveryStatus */
/**
 * A stored message (docs/protocol.md, "Messages, sequence numbers and retries").
 * @typedef {{seq: number, sender: Sender, author_id?: string | null, text: string,
 *   client_msg_id?: string | null, created_at?: string | null,
 *   buttons?: {title?: string, payload?: string}[]}} Message
 */
/**
 * @typedef {object} ListOptions
 * @property {Sender} mine whose messages sit on the end side and carry a delivery status
 * @property {(sender: string, authorId: string | undefined) => string | null} authorLabel the author
 *   line's text; null: no author line for this sender
 * @property {(status: string) => {text: string, title?: string}} statusLabel
 * @property {() => string | undefined} [locale] for times (default: the browser's)
 * @property {() => string} [emptyHint] shown while the list has nothing in it
 */

export class MessageList {
  /**
   * @param {HTMLOListElement} list
   * @param {ListOptions} options
   */
  constructor(list, options) {
    this.list = list;
    this.options = options;
    /** @type {Map<number, HTMLLIElement>} */
    this.bySeq = new Map();
    /** @type {Map<string, HTMLLIElement>} */
    this.byClientId = new Map();
    /** The other side has seen my messages up to this seq (a read receipt). */
    this.seenUpTo = 0;
  }

  /**
   * @param {number} seq one of my stored messages
   * @returns {DeliveryStatus}
   */
  storedStatus(seq) {
    return seq <= this.seenUpTo ? 'seen' : 'delivered';
  }

  /**
   * A read receipt: my messages up to `seq` were seen (receipts only go up).
   * @param {number} seq
   */
  markSeen(seq) {
    if (!(seq > this.seenUpTo)) return;
    this.seenUpTo = seq;
    for (const [n, li] of this.bySeq) {
      if (n <= seq && li.dataset.sender === this.options.mine && li.dataset.status === 'delivered') {
        this.setStatus(li, 'seen');
      }
    }
  }

  /**
   * A message row (not placed yet).
   * @param {{sender: string, authorId?: string | null, text: string, createdAt?: string | null}} message
   * @returns {HTMLLIElement}
   */
  element({ sender, authorId, text, createdAt }) {
    const mine = sender === this.options.mine;
    // The row follows the page's direction (it holds the author and time); only the bubble's
    // direction comes from its own text.
    const li = h('li', { className: mine ? 'msg mine' : 'msg', 'data-testid': 'message', 'data-sender': sender });
    if (this.options.authorLabel(sender, undefined) !== null) {
      li.append(h('div', { className: 'msg-author', 'data-author-id': authorId }));
    }
    li.append(h('div', { className: 'bubble', dir: 'auto' }, text));
    li.append(h('div', { className: 'msg-meta' },
      h('time', { datetime: createdAt }, formatTime(createdAt, this.options.locale?.())),
      mine ? h('span', { className: 'msg-status' }) : null));
    this.relabel(li);
    return li;
  }

  /**
   * A stored message's row, registered by seq and client_msg_id (not placed yet).
   * @param {Message} message
   * @param {string} [text] shown instead of message.text (e.g. a quick reply's title for its payload)
   * @returns {HTMLLIElement}
   */
  stored(message, text = message.text) {
    const li = this.element({
      sender: message.sender, authorId: message.author_id, text, createdAt: message.created_at,
    });
    const seq = Number(message.seq);
    li.dataset.seq = String(seq);
    if (message.sender === this.options.mine) this.setStatus(li, this.storedStatus(seq));
    this.bySeq.set(seq, li);
    if (message.client_msg_id) this.byClientId.set(message.client_msg_id, li);
    return li;
  }

  /**
   * A row for one of my messages the server has not stored yet (not placed yet).
   * @param {{clientMsgId: string, text: string, authorId?: string | null, status?: DeliveryStatus}} item
   * @returns {HTMLLIElement}
   */
  pending({ clientMsgId, text, authorId = null, status = 'pending' }) {
    const li = this.element({ sender: this.options.mine, authorId, text, createdAt: null });
    li.dataset.clientMsgId = clientMsgId;
    this.setStatus(li, status);
    this.byClientId.set(clientMsgId, li);
    return li;
  }

  /**
   * Shows a stored message once: it confirms my pending one with the same client_msg_id, or is added
   * in seq order. `decorate` runs on a new row before it is placed.
   * @param {Message} message
   * @param {{text?: string, decorate?: (li: HTMLLIElement) => void}} [options]
   * @returns {HTMLLIElement | null} the new row; null if it was on screen already
   */
  show(message, { text, decorate } = {}) {
    const seq = Number(message.seq);
    if (this.bySeq.has(seq)) return null;
    const pending = message.client_msg_id ? this.byClientId.get(message.client_msg_id) : null;
    if (pending && message.sender === this.options.mine) {
      this.markDelivered(pending, seq);
      return null;
    }
    const li = this.stored(message, text);
    decorate?.(li);
    this.place(li);
    return li;
  }

  /**
   * @param {HTMLLIElement} li
   * @param {DeliveryStatus} status
   */
  setStatus(li, status) {
    li.dataset.status = status;
    li.classList.toggle('pending', status === 'pending');
    li.classList.toggle('failed', status === 'failed');
    this.relabel(li);
  }

  /**
   * My message is stored as `seq`: it moves to its place among the stored ones.
   * @param {HTMLLIElement} li
   * @param {number} seq
   */
  markDelivered(li, seq) {
    li.dataset.seq = String(seq);
    this.bySeq.set(seq, li);
    this.setStatus(li, this.storedStatus(seq));
    this.place(li);
  }

  /**
   * Marks my message as not sent, unless it was stored meanwhile.
   * @param {string} clientMsgId
   */
  markFailed(clientMsgId) {
    const li = this.byClientId.get(clientMsgId);
    if (li && !li.dataset.seq) this.setStatus(li, 'failed');
  }

  /**
   * Keeps stored messages in seq order, with my not-yet-stored ones after them.
   * @param {HTMLLIElement} li
   */
  place(li) {
    const seq = li.dataset.seq ? Number(li.dataset.seq) : Infinity;
    let before = null;
    if (seq !== Infinity) {
      for (const other of this.list.querySelectorAll('[data-testid="message"]')) {
        if (other === li) continue;
        if (!(other instanceof HTMLElement) || !other.dataset.seq || Number(other.dataset.seq) > seq) {
          before = other;
          break;
        }
      }
    }
    const stick = this.nearBottom();
    if (before) this.list.insertBefore(li, before);
    else if (li.parentNode !== this.list || li !== this.list.lastElementChild) this.list.append(li);
    this.renderEmptyHint();
    if (stick || li.classList.contains('mine')) this.scrollToBottom();
  }

  /**
   * An error or a note in the list that is not a message.
   * @param {string} text
   * @param {'error' | 'note'} [kind]
   */
  notice(text, kind = 'error') {
    const error = kind === 'error';
    const li = h('li', {
      className: error ? 'inline-error' : 'inline-error inline-note', role: error ? 'alert' : 'status',
      'data-testid': error ? 'inline-error' : null, dir: 'auto',
    }, text);
    const stick = this.nearBottom();
    this.list.append(li);
    this.renderEmptyHint();
    if (stick) this.scrollToBottom();
  }

  /**
   * Rebuilds the list: these stored messages, then these pending ones.
   * @param {Message[]} messages
   * @param {{clientMsgId: string, text: string, authorId?: string | null, status?: DeliveryStatus}[]} pending
   */
  fill(messages, pending) {
    this.clear();
    const sorted = [...messages].sort((a, b) => a.seq - b.seq);
    this.list.append(...sorted.map((m) => this.stored(m)), ...pending.map((p) => this.pending(p)));
    this.renderEmptyHint();
    this.scrollToBottom();
  }

  clear() {
    this.seenUpTo = 0;
    this.bySeq.clear();
    this.byClientId.clear();
    this.list.replaceChildren();
    this.renderEmptyHint();
  }

  /**
   * Texts that depend on the UI language: the author line and the delivery status.
   * @param {HTMLLIElement} li
   */
  relabel(li) {
    const author = /** @type {HTMLElement | null} */ (li.querySelector('.msg-author'));
    if (author) author.textContent = this.options.authorLabel(li.dataset.sender || '', author.dataset.authorId) || '';
    const status = /** @type {HTMLElement | null} */ (li.querySelector('.msg-status'));
    if (status) {
      const label = li.dataset.status ? this.options.statusLabel(li.dataset.status) : { text: '' };
      status.textContent = label.text;
      status.title = label.title || '';
    }
  }

  /** After a change of language. */
  relabelAll() {
    for (const li of this.list.querySelectorAll('li[data-testid="message"]')) this.relabel(/** @type {HTMLLIElement} */ (li));
    const hint = this.list.querySelector('.empty-hint');
    if (hint && this.options.emptyHint) hint.textContent = this.options.emptyHint();
  }

  renderEmptyHint() {
    if (!this.options.emptyHint) return;
    const hint = this.list.querySelector('.empty-hint');
    const hasContent = this.list.querySelector('[data-testid="message"], .inline-error');
    if (hasContent && hint) hint.remove();
    if (!hasContent && !hint) this.list.append(h('li', { className: 'empty-hint' }, this.options.emptyHint()));
  }

  /** @returns {boolean} whether the list is scrolled (nearly) to the end */
  nearBottom() {
    const list = this.list;
    return list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  }

  scrollToBottom() {
    this.list.scrollTop = this.list.scrollHeight;
  }
}
