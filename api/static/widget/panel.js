// @ts-check
/* The chat panel's DOM (inside the widget's shadow root) and the launcher button that opens it.
   Ids are scoped to the shadow root, so they cannot clash with the host page's. */

import { autoGrow, bindComposer, displayName, h } from '../shared/dom.js';
import { MessageList } from '../shared/message-list.js';
import { TypingLine } from '../shared/typing.js';
import { WIDGET_STRINGS, hasString } from '../shared/strings.js';
import { RatingForm } from './rating.js';

/** @typedef {import('../shared/strings.js').Translate} Translate */

const ICON_CHAT = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z';
const ICON_CLOSE = 'M6 6l12 12M18 6L6 18';

/**
 * @param {string} path
 * @param {boolean} stroke
 */
function icon(path, stroke) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const shape = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  shape.setAttribute('d', path);
  if (stroke) shape.setAttribute('class', 'stroke');
  svg.append(shape);
  return svg;
}

export class Panel {
  /**
   * @param {Translate} t
   * @param {() => string} locale the UI language, for times
   */
  constructor(t, locale) {
    this.t = t;
    this.title = h('h1', { id: 'widget-title' });
    this.status = h('span', {
      id: 'status-line', className: 'status-line', 'data-testid': 'status-line', role: 'status',
    });
    this.connection = h('span', {
      id: 'connection-status', className: 'connection-status', 'data-testid': 'connection-status',
    });
    this.list = h('ol', {
      id: 'message-list', className: 'message-list', 'data-testid': 'message-list', 'aria-live': 'polite',
    });
    this.bannerText = h('p', { className: 'banner-text', id: 'banner-text' });
    this.bannerButton = h('button', {
      type: 'button', className: 'btn btn-primary', id: 'banner-button', 'data-testid': 'start-new-conversation',
    });
    this.banner = h('div', {
      id: 'banner', className: 'widget-banner', 'data-testid': 'conversation-banner', hidden: true,
    }, this.bannerText, this.bannerButton);
    this.inputLabel = h('label', { for: 'chat-input', className: 'visually-hidden' });
    this.input = h('textarea', { id: 'chat-input', 'data-testid': 'chat-input', rows: 1, maxlength: 2000, dir: 'auto' });
    this.send = h('button', { type: 'submit', className: 'btn btn-primary', id: 'send-button', 'data-testid': 'send-button' });
    /** Who is typing: the agent, or the assistant during its turn (./signals.js). */
    this.typing = new TypingLine(h('p', {
      id: 'typing-indicator', className: 'typing-line', 'data-testid': 'typing-indicator', role: 'status',
    }));
    this.composer = h('form', { id: 'composer', className: 'composer', autocomplete: 'off' },
      this.inputLabel, this.input, this.send);
    /** Asks for a rating once the conversation is closed (./rating.js; Chat decides when). */
    this.rating = new RatingForm(locale);
    this.element = h('section', {
      className: 'widget', id: 'widget-panel', 'data-testid': 'widget-panel', 'aria-labelledby': 'widget-title',
      hidden: true,
    },
    h('header', { className: 'widget-header' }, this.title,
      h('div', { className: 'status-row' }, this.status, this.connection)),
    this.list, this.rating.element, this.banner, this.typing.element, this.composer);
    this.launcher = h('button', {
      type: 'button', className: 'launcher', id: 'launcher', 'data-testid': 'widget-launcher',
      'aria-controls': 'widget-panel', 'aria-expanded': 'false',
    }, icon(ICON_CHAT, false), icon(ICON_CLOSE, true));
    this.messages = new MessageList(this.list, {
      mine: 'customer',
      authorLabel: (sender, authorId) => {
        if (sender === 'bot') return t('assistant');
        return sender === 'agent' ? displayName(authorId, t('agent')) : null;
      },
      statusLabel: (status) => {
        if (status === 'delivered') return { text: '✓', title: t('delivered') };
        if (status === 'seen') return { text: '✓✓', title: t('seen') };
        return { text: status === 'pending' ? t('sending') : status === 'failed' ? t('failed') : '' };
      },
      locale,
      emptyHint: () => t('emptyHint'),
    });
    this.relabel();
  }

  /** The texts of the panel's own chrome, after a change of language. */
  relabel() {
    const { t } = this;
    this.title.textContent = t('title');
    this.inputLabel.textContent = t('placeholder');
    this.input.placeholder = t('placeholder');
    this.send.textContent = t('send');
    this.launcher.setAttribute('aria-label', this.isOpen() ? t('closeChat') : t('openChat'));
    this.launcher.title = this.launcher.getAttribute('aria-label') || '';
    this.rating.relabel();
  }

  /** @returns {boolean} */
  isOpen() {
    return !this.element.hidden;
  }

  /** @param {boolean} open */
  setOpen(open) {
    this.element.hidden = !open;
    this.launcher.setAttribute('aria-expanded', String(open));
    this.launcher.classList.toggle('open', open);
    this.relabel();
    if (open && !this.input.disabled) this.input.focus();
  }

  /**
   * The status line: who the customer is talking to.
   * @param {string | null} state bot | queued | assigned | closed
   * @param {string | null | undefined} agentId
   * @param {{position: number, estimated_wait_s: number} | null} [place] the queue_position frame, while queued
   */
  showStatus(state, agentId, place) {
    const { t } = this;
    const minutes = place ? Math.max(1, Math.round(place.estimated_wait_s / 60)) : 0;
    /** @type {Record<string, string>} */
    const texts = {
      bot: t('statusBot'),
      ticket: t('statusTicket'),
      queued: place ? t('statusQueuePlace', { position: String(place.position), minutes: String(minutes) })
        : t('statusQueued'),
      assigned: agentId ? t('statusAssigned', { agent: displayName(agentId) }) : t('statusAssignedUnknown'),
      closed: t('statusClosed'),
    };
    this.status.textContent = texts[state || ''] || '';
    this.status.dataset.state = state || '';
  }

  /** @param {string} phase idle | connecting | reconnecting | online */
  showConnection(phase) {
    this.connection.textContent = phase === 'connecting' || phase === 'reconnecting' ? this.t(phase) : '';
  }

  /** @param {{kind: 'closed' | 'fatal' | 'startFailed', code?: string} | null} banner */
  showBanner(banner) {
    const { t } = this;
    this.banner.hidden = !banner;
    if (!banner) return;
    const [text, button] = {
      closed: [t('closedBanner'), t('startNew')],
      fatal: [t(`error_${banner.code}`), t('newConversation')],
      startFailed: [t('startFailed'), t('retry')],
    }[banner.kind];
    this.banner.classList.toggle('error', banner.kind !== 'closed');
    this.bannerText.textContent = text;
    this.bannerButton.textContent = button;
  }

  /**
   * The text of a refused frame.
   * @param {string} code
   * @param {string} [detail]
   */
  errorText(code, detail) {
    if (hasString(WIDGET_STRINGS, `error_${code}`)) return this.t(`error_${code}`);
    return this.t('error_generic', { detail: detail || code || '' });
  }

  /** @param {boolean} enabled */
  setComposerEnabled(enabled) {
    this.input.disabled = !enabled;
    this.send.disabled = !enabled;
  }

  /**
   * @param {(text: string) => boolean} send returns whether the text was taken
   */
  onSend(send) {
    bindComposer(this.composer, this.input, () => {
      if (send(this.input.value)) {
        this.input.value = '';
        autoGrow(this.input);
      }
      this.input.focus();
    });
  }
}
