// @ts-check
/* The customer's rating of a closed conversation (CSAT; docs/protocol.md, "Rating (CSAT)"): a score
   of 1 to 5 and an optional comment, sent once over HTTP with the conversation's token, then a
   thank-you line. The server keeps one rating per conversation: its 409 `already_rated` (another tab,
   or a reload before the widget remembered it) counts as done. */

import { h } from '../shared/dom.js';
import { translator } from '../shared/strings.js';

/** @typedef {import('../shared/strings.js').StringTable} StringTable */
/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {{base: URL, conversationId: string, token: string}} RatingTarget */

const SCORES = [1, 2, 3, 4, 5];
const MAX_COMMENT_CHARS = 1000;

/** The form's strings per language (a language without them falls back to English). @type {Record<string, StringTable>} */
export const RATING_STRINGS = {
  en: {
    question: 'How did we do? Please rate this conversation.',
    score: '{score} of 5: {word}',
    score_1: 'very poor',
    score_2: 'poor',
    score_3: 'okay',
    score_4: 'good',
    score_5: 'excellent',
    comment: 'Anything you would like to add? (optional)',
    send: 'Send rating',
    sending: 'Sending…',
    failed: 'Your rating could not be sent. Please try again.',
    thanks: 'Thank you for your feedback!',
  },
  id: {
    question: 'Bagaimana layanan kami? Mohon beri nilai untuk percakapan ini.',
    score: '{score} dari 5: {word}',
    score_1: 'sangat buruk',
    score_2: 'buruk',
    score_3: 'cukup',
    score_4: 'baik',
    score_5: 'sangat baik',
    comment: 'Ada yang ingin ditambahkan? (opsional)',
    send: 'Kirim penilaian',
    sending: 'Mengirim…',
    failed: 'Penilaian tidak dapat dikirim. Silakan coba lagi.',
    thanks: 'Terima kasih atas penilaian Anda!',
  },
  he: {
    question: 'איך היה השירות? נשמח אם תדרגו את השיחה.',
    score: '{score} מתוך 5: {word}',
    score_1: 'גרוע מאוד',
    score_2: 'גרוע',
    score_3: 'סביר',
    score_4: 'טוב',
    score_5: 'מצוין',
    comment: 'רוצים להוסיף משהו? (לא חובה)',
    send: 'שליחת הדירוג',
    sending: 'שולחים…',
    failed: 'לא הצלחנו לשלוח את הדירוג. אפשר לנסות שוב.',
    thanks: 'תודה על המשוב!',
  },
};

/**
 * Sends the rating.
 * @param {RatingTarget} target
 * @param {number} score
 * @param {string} comment
 * @returns {Promise<boolean>} true once the server has a rating (this one, or an earlier one)
 */
async function sendRating(target, score, comment) {
  const url = new URL(`api/widget/conversations/${encodeURIComponent(target.conversationId)}/rating`, target.base);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Conversation-Token': target.token },
    body: JSON.stringify({ score, comment: comment.trim() || null }),
  });
  if (response.ok) return true;
  if (response.status !== 409) return false;
  const body = await response.json().catch(() => null);
  return body?.detail?.code === 'already_rated';
}

/** The rating form in the chat panel, shown once the conversation is closed and until it is rated. */
export class RatingForm {
  /** @param {() => string} locale the UI language */
  constructor(locale) {
    this.t = translator(RATING_STRINGS, locale);
    /** @type {RatingTarget | null} the conversation being rated */
    this.target = null;
    /** @type {(() => void) | null} */
    this.onRated = null;
    this.score = 0;
    this.busy = false;
    this.question = h('p', { id: 'csat-question', className: 'csat-question' });
    this.scoreButtons = SCORES.map((score) => h('button', {
      type: 'button', className: 'btn btn-small', 'data-testid': `csat-score-${score}`, 'data-score': score,
      'aria-pressed': 'false', onclick: () => this.pick(score),
    }, String(score)));
    const scores = h('div', { className: 'csat-scores', role: 'group', 'aria-labelledby': 'csat-question' },
      ...this.scoreButtons);
    Object.assign(scores.style, { display: 'flex', gap: '6px', justifyContent: 'center' });
    this.commentLabel = h('label', { for: 'csat-comment', className: 'visually-hidden' });
    this.comment = h('textarea', {
      id: 'csat-comment', 'data-testid': 'csat-comment', rows: 2, maxlength: MAX_COMMENT_CHARS, dir: 'auto',
    });
    Object.assign(this.comment.style, { alignSelf: 'stretch', boxSizing: 'border-box' });
    this.error = h('p', { className: 'inline-error', 'data-testid': 'csat-error', role: 'alert', hidden: true });
    this.send = h('button', { type: 'submit', className: 'btn btn-primary btn-small', 'data-testid': 'csat-send' });
    this.form = h('form', {
      className: 'csat-form', 'data-testid': 'csat-form', 'aria-labelledby': 'csat-question', autocomplete: 'off',
    }, this.question, scores, this.commentLabel, this.comment, this.error, this.send);
    Object.assign(this.form.style, { display: 'flex', flexDirection: 'column', alignItems: 'center', gap: '8px',
      alignSelf: 'stretch' });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.thanks = h('p', { className: 'csat-thanks', 'data-testid': 'csat-thanks', role: 'status', hidden: true });
    this.element = h('section', {
      className: 'widget-banner csat', 'data-testid': 'csat', 'aria-labelledby': 'csat-question', hidden: true,
    }, this.form, this.thanks);
    this.relabel();
  }

  /** The texts, after a change of language. */
  relabel() {
    const { t } = this;
    this.question.textContent = t('question');
    for (const button of this.scoreButtons) {
      const score = Number(button.dataset.score);
      const label = t('score', { score, word: t(`score_${score}`) });
      button.setAttribute('aria-label', label);
      button.title = label;
    }
    this.commentLabel.textContent = t('comment');
    this.comment.placeholder = t('comment');
    this.send.textContent = this.busy ? t('sending') : t('send');
    this.thanks.textContent = t('thanks');
    if (!this.error.hidden) this.error.textContent = t('failed');
  }

  /**
   * Asks for the rating of a closed conversation; asking again for the same one keeps what the
   * customer has chosen and typed so far.
   * @param {RatingTarget} target
   * @param {() => void} onRated called once the server has the rating
   * @returns {boolean} whether the form has just appeared
   */
  offer(target, onRated) {
    this.onRated = onRated;
    if (this.target?.conversationId === target.conversationId && !this.element.hidden) return false;
    this.target = target;
    this.busy = false;
    this.comment.value = '';
    this.error.hidden = true;
    this.form.hidden = false;
    this.thanks.hidden = true;
    this.element.hidden = false;
    this.pick(0);
    return true;
  }

  /** No conversation to rate (a new one started, or it is not closed). */
  hide() {
    this.target = null;
    this.onRated = null;
    this.element.hidden = true;
  }

  /** @param {number} score 1-5, or 0 for none yet */
  pick(score) {
    this.score = score;
    for (const button of this.scoreButtons) {
      const picked = Number(button.dataset.score) === score;
      button.setAttribute('aria-pressed', String(picked));
      button.classList.toggle('btn-primary', picked);
    }
    this.send.disabled = !score || this.busy;
  }

  async submit() {
    const { target, score } = this;
    if (!target || !score || this.busy) return;
    this.busy = true;
    this.error.hidden = true;
    this.pick(score);
    this.relabel();
    let stored = false;
    try {
      stored = await sendRating(target, score, this.comment.value);
    } catch (err) {
      console.warn('could not send the rating', err);
    }
    if (target !== this.target) return; // another conversation meanwhile
    this.busy = false;
    if (stored) {
      this.form.hidden = true;
      this.thanks.hidden = false;
      this.onRated?.();
    } else {
      this.error.hidden = false;
    }
    this.pick(score);
    this.relabel();
  }
}

/**
 * A closed conversation asks the customer for a rating until they gave one (remembered with the
 * stored conversation, so a reload does not ask again); any other state takes the form away.
 * @param {Chat} chat
 */
export function offerRating(chat) {
  const { conv } = chat;
  const form = chat.panel.rating;
  if (!conv || chat.convState !== 'closed') form.hide();
  else if (!conv.rated) {
    const shown = form.offer({ base: chat.base, conversationId: conv.conversation_id, token: conv.token }, () => {
      conv.rated = true;
      if (chat.conv === conv) chat.save();
    });
    // The form (and the closed banner) took room from the list: keep the closing message in sight.
    if (shown) chat.messages.scrollToBottom();
  }
}
