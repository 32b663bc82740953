// @ts-check
/* The customer chat: one conversation at a time over the customer socket (docs/protocol.md,
   "Customer socket"), kept in localStorage so a reload (or the next page of the shop) resumes it. */

import { LiveSocket, wsUrl } from '../shared/live-socket.js';
import { readJson, writeJson } from '../shared/storage.js';
import { resumeConversation, startConversation } from './lifecycle.js';
import { failWaiting, onRefused, queueMessage, resendWaiting, settle } from './outbox.js';
import { addButtons, retireButtons } from './quick-replies.js';
import { offerRating } from './rating.js';
import { initSignals, onMessage, onSignal, readIfLooking } from './signals.js';

/** @typedef {import('../shared/message-list.js').Message} Message */
/** @typedef {import('../shared/live-socket.js').Frame} Frame */
/** @typedef {import('./panel.js').Panel} Panel */
/** @typedef {import('../shared/strings.js').Translate} Translate */
/** @typedef {string | null | undefined | (() => Promise<string | null>)} CustomerToken */
/** @typedef {import('./outbox.js').OutboxItem} OutboxItem */
/**
 * @typedef {{conversation_id: string, token: string, last_seq: number, agent_id: string | null,
 *   locale: string, outbox: OutboxItem[], rated?: boolean}} StoredConversation
 */

/** @type {Record<number, string>} */
const FATAL_CLOSE_CODES = { 4401: 'unauthorized', 4403: 'forbidden', 4404: 'not_found' };
const FATAL_ERROR_CODES = new Set(Object.values(FATAL_CLOSE_CODES));

export class Chat {
  /**
   * @param {{base: URL, panel: Panel, t: Translate, locale: () => string, customerToken: CustomerToken}} options
   *   base: the app's address (the widget script's own origin, not the host page's)
   */
  constructor({ base, panel, t, locale, customerToken }) {
    this.base = base;
    this.panel = panel;
    this.t = t;
    this.locale = locale;
    this.customerToken = customerToken;
    this.storeKey = `shopbot.widget.conversation@${base.href}`;
    /** @type {StoredConversation | null} */
    this.conv = null;
    /** @type {string | null} bot | queued | assigned | closed */
    this.convState = null;
    /** @type {{position: number, estimated_wait_s: number} | null} the last queue_position frame */
    this.place = null;
    this.lastAgentSeq = 0; // the newest agent message, and the read receipt sent for it (./signals.js)
    this.readSent = 0;
    /** @type {string | null} unauthorized | forbidden | not_found: the socket will not be retried */
    this.fatal = null;
    /** @type {{kind: 'closed' | 'fatal' | 'startFailed', code?: string} | null} */
    this.banner = null;
    this.connection = 'idle'; // idle | connecting | reconnecting | online
    this.generation = 0; // bumped per conversation so late async results of an old one are dropped
    /** @type {Map<string, string>} button payload -> title, to show the title instead of "/affirm" */
    this.buttonTitles = new Map();
    this.messages = panel.messages;
    this.live = new LiveSocket({
      url: () => this.socketUrl(),
      token: () => this.conv?.token || '',
      onFrame: (frame) => this.onFrame(frame),
      onPhase: (phase) => this.setConnection(phase),
      canConnect: () => Boolean(this.conv) && !this.fatal,
      onClosed: (code) => {
        const fatal = FATAL_CLOSE_CODES[code] || this.fatal;
        if (fatal) this.showFatal(fatal);
        return Boolean(fatal);
      },
    });
    panel.onSend((text) => this.sendText(text));
    panel.bannerButton.addEventListener('click', () => this.start());
    window.addEventListener('online', () => this.live.retryNow());
    this.messages.renderEmptyHint();
    this.updateComposer();
    initSignals(this);
  }

  /** Resumes the stored conversation, if there is one. @returns {boolean} whether there was one */
  resumeStored() {
    const stored = readJson('local', this.storeKey);
    if (!stored?.conversation_id || !stored.token) return false;
    resumeConversation(this, stored);
    return true;
  }

  /** @returns {boolean} whether a conversation is open or being opened */
  get active() {
    return this.generation > 0;
  }

  // ---- rendering ------------------------------------------------------------------------------

  /** Every text that depends on the UI language. */
  relabel() {
    this.messages.relabelAll();
    this.renderStatus();
    this.panel.showConnection(this.connection);
    this.panel.showBanner(this.banner);
  }

  renderStatus() {
    this.panel.showStatus(this.convState, this.conv?.agent_id, this.convState === 'queued' ? this.place : null);
  }

  /** @param {string} phase */
  setConnection(phase) {
    this.connection = phase;
    this.panel.showConnection(phase);
  }

  canSend() {
    return Boolean(this.conv) && this.convState !== 'closed' && !this.fatal;
  }

  updateComposer() {
    const enabled = this.canSend();
    this.panel.setComposerEnabled(enabled);
    if (!enabled) retireButtons(this.panel.list);
  }

  // ---- message flow ---------------------------------------------------------------------------

  save() {
    writeJson('local', this.storeKey, this.conv);
  }

  /**
   * Shows the message at once and sends it now, or after (re)connecting (./outbox.js).
   * @param {string} text
   * @param {string} [label] what the customer sees (a quick reply's title for its payload)
   * @returns {boolean} whether it was taken
   */
  sendText(text, label = text) {
    const trimmed = String(text).trim();
    if (!trimmed || !this.conv || !this.canSend()) return false;
    retireButtons(this.panel.list);
    queueMessage(this, trimmed, String(label).trim() || trimmed);
    return true;
  }

  /** @param {Message} message */
  onServerMessage(message) {
    const conv = /** @type {StoredConversation} */ (this.conv);
    const seq = Number(message.seq);
    if (seq > conv.last_seq) {
      conv.last_seq = seq;
      this.save();
    }
    const customer = message.sender === 'customer';
    if (customer && message.client_msg_id) settle(this, message.client_msg_id);
    const added = this.messages.show(message, {
      text: customer ? (this.buttonTitles.get(message.text) ?? message.text) : message.text,
      decorate: (li) => {
        if (customer) retireButtons(this.panel.list);
        if (message.buttons?.length) {
          addButtons(li, message.buttons, this.buttonTitles, this.canSend(), (payload, title) => this.sendText(payload, title));
        }
      },
    });
    // The latest agent message names who we talk to (also after a reload).
    if (added && message.sender === 'agent' && message.author_id && this.convState === 'assigned'
        && conv.agent_id !== message.author_id) {
      conv.agent_id = message.author_id;
      this.save();
      this.renderStatus();
    }
    onMessage(this, message);
  }

  /** @param {Frame} frame */
  onAck(frame) {
    const li = this.messages.byClientId.get(frame.client_msg_id);
    // The ack's seq does not advance last_seq: earlier messages may still be on their way.
    if (li && !li.dataset.seq) this.messages.markDelivered(li, Number(frame.seq));
    settle(this, frame.client_msg_id);
  }

  /**
   * @param {string} convState
   * @param {string | null} [agentId]
   */
  setConvState(convState, agentId) {
    this.convState = convState;
    if (this.conv) {
      if (convState === 'assigned' && agentId) this.conv.agent_id = agentId;
      if (convState === 'bot' || convState === 'queued') this.conv.agent_id = null;
      this.save();
    }
    if (convState === 'closed') this.banner = { kind: 'closed' };
    this.renderStatus();
    this.panel.showBanner(this.banner);
    this.updateComposer();
    offerRating(this);
  }

  /** @param {string} code */
  showFatal(code) {
    this.fatal = code;
    this.live.stop();
    this.setConnection('idle');
    failWaiting(this);
    this.banner = { kind: 'fatal', code };
    this.panel.showBanner(this.banner);
    this.updateComposer();
  }

  /** @param {Frame} frame */
  onErrorFrame(frame) {
    if (FATAL_ERROR_CODES.has(frame.code)) {
      this.showFatal(frame.code);
      return;
    }
    if (onRefused(this, frame)) return; // `overloaded`: sent again after retry_after_s, still pending
    if (frame.code === 'conversation_closed') this.setConvState('closed');
    this.messages.notice(this.panel.errorText(frame.code, frame.detail));
  }

  // ---- socket ---------------------------------------------------------------------------------

  socketUrl() {
    const { conversation_id: id, last_seq: lastSeq } = /** @type {StoredConversation} */ (this.conv);
    return wsUrl(`ws/customer/${encodeURIComponent(id)}?last_seq=${encodeURIComponent(lastSeq || 0)}`, this.base);
  }

  /** @param {Frame} frame */
  onFrame(frame) {
    onSignal(this, frame);
    switch (frame.type) {
      case 'hello':
        this.live.online();
        this.setConnection('online');
        this.setConvState(frame.state, frame.assigned_agent_id);
        resendWaiting(this); // with the same client_msg_id: the server stores each once
        this.sayPresence();
        break;
      case 'message': if (frame.message) this.onServerMessage(frame.message); break;
      case 'ack': this.onAck(frame); break;
      case 'state': this.setConvState(frame.state, frame.assigned_agent_id); break;
      case 'queue_position': this.place = /** @type {any} */ (frame); this.renderStatus(); break;
      case 'error': this.onErrorFrame(frame); break;
      default: break; // unknown frames are ignored so the server can add new ones
    }
  }

  /**
   * Tells the agent whether the customer is looking: the panel open on a visible page, or not
   * (a closed socket is "gone" without being said).
   */
  sayPresence() {
    const here = this.panel.isOpen() && document.visibilityState === 'visible';
    this.live.send({ type: 'presence', status: here ? 'online' : 'away' });
    readIfLooking(this);
  }

  // ---- conversation lifecycle: ./lifecycle.js ------------------------------------------------

  /** Starts a new conversation (replacing the current one). @returns {Promise<void>} */
  start() {
    this.panel.rating.hide();
    return startConversation(this);
  }

  /** A new locale or identity only matters to a new conversation; replace one nobody has used yet. */
  settingsChanged() {
    const used = Boolean(this.conv?.outbox.length || this.panel.list.querySelector('[data-sender="customer"]'));
    if (!this.conv || this.fatal || !used) this.start();
    else this.messages.notice(this.t('appliesNext'), 'note');
  }
}
