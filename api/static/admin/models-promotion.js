// @ts-check
/* Following a promotion (or a rollback) once it is asked for, or found starting when the page loads:
   GET /promotions/{id} every 1.5 s while it is starting, its progress said in a status panel, until it
   is live or failed (with the server's error). Then the section reloads its lists. */

import { h } from '../shared/dom.js';
import { ApiError } from './api.js';
import { modelsErrorText } from './models-api.js';
import { promotionBadge } from './models-history.js';
import { duration, every, modelName } from './models-util.js';
import { t } from './strings.js';

/** @typedef {import('./models-api.js').Promotion} Promotion */
/**
 * @typedef {object} FollowHooks
 * @property {(promotionId: number) => Promise<Promotion>} get
 * @property {(err: unknown) => boolean} handled true if the page dealt with it (signed out, not an admin)
 * @property {(promotion: Promotion) => void} settled it is live or failed
 */

const POLL_MS = 1500;

/**
 * @param {Promotion} promotion
 * @returns {string} "Promotion of model #2", "Rollback to model #1"
 */
export const promotionWhat = (promotion) => t(promotion.rollback ? 'modelsRollbackOf' : 'modelsPromotionOf',
  { name: modelName(promotion.model_id) });

/**
 * The status panel and its follower.
 * @param {FollowHooks} hooks
 * @returns {{element: HTMLElement, follow: (promotion: Promotion) => void, following: () => number | null,
 *   clear: () => void}}
 */
export function promotionFollower(hooks) {
  const text = h('span', { 'data-testid': 'promotion-text' });
  const warning = h('p', { className: 'review-warning', 'data-testid': 'promotion-warning', hidden: true });
  const element = h('div', {
    className: 'models-promotion', role: 'status', 'aria-live': 'polite', 'data-testid': 'models-promotion', hidden: true,
  });
  /** @type {number | null} */
  let followed = null;
  let stop = () => {};

  /** @param {Promotion} promotion */
  function show(promotion) {
    const what = promotionWhat(promotion);
    element.dataset.status = promotion.status;
    element.dataset.promotionId = String(promotion.id);
    element.dataset.rollback = String(promotion.rollback);
    if (promotion.status === 'starting') {
      text.textContent = t('modelsPromotionStarting', { what, elapsed: duration(promotion.started_at) });
    } else if (promotion.status === 'failed') {
      text.textContent = t('modelsPromotionFailed', { what, error: promotion.error || '?' });
    } else {
      text.textContent = t('modelsPromotionLive', { what, elapsed: duration(promotion.started_at, promotion.live_at) });
    }
    element.replaceChildren(promotionBadge(promotion.status), ' ', text, warning);
    element.classList.toggle('error', promotion.status === 'failed');
    element.hidden = false;
  }

  /** @param {Promotion} promotion */
  function follow(promotion) {
    stop();
    followed = promotion.id;
    warning.hidden = true;
    show(promotion);
    if (promotion.status !== 'starting') return;
    stop = every(POLL_MS, async () => {
      try {
        const now = await hooks.get(promotion.id);
        if (followed !== promotion.id) return false;
        warning.hidden = true;
        show(now);
        if (now.status === 'starting') return true;
        hooks.settled(now);
        return false;
      } catch (err) {
        if (followed !== promotion.id || hooks.handled(err)) return false;
        warning.textContent = t('modelsStillAsking', { detail: modelsErrorText(err) });
        warning.hidden = false;
        // The server may be busy or restarting: keep asking, unless the promotion is gone.
        return !(err instanceof ApiError && err.status === 404);
      }
    });
  }

  return {
    element,
    follow,
    following: () => followed,
    clear: () => {
      stop();
      followed = null;
      element.hidden = true;
      element.replaceChildren();
    },
  };
}
