// @ts-check
/* The models, newest first, as cards: who trained it and when, its verdict and metrics against the
   model live then (models-metrics.js), whether it is live, who promoted it and when. A model that is
   not live can be promoted; one that was live before is "rolled back to". Both ask once more in the
   card, saying what happens, before anything starts. */

import { h } from '../shared/dom.js';
import { metricsSummary, verdictBadge } from './models-metrics.js';
import { fileName, modelName, trainedBy } from './models-util.js';
import { formatWhen } from './review-item.js';
import { t } from './strings.js';

/** @typedef {import('./models-api.js').ModelVersion} ModelVersion */
/** @typedef {import('./models-api.js').Promotion} Promotion */
/**
 * @typedef {object} ListHooks
 * @property {(model: ModelVersion, rollback: boolean) => Promise<string | null>} promote starts it:
 *   null once started (the section follows it), else why not, said in the card
 * @property {(code: string) => string} languageName
 */
/**
 * @typedef {object} ListState
 * @property {Set<number>} wasLive the models that were live before (promoting one is a rollback)
 * @property {boolean} busy a promotion is starting: nothing else can start
 */

/**
 * Draws the cards into `list` (and says which is live in `summary`). A model is rolled back to if it
 * was live before (a promotion of it went live, or it was the start model); nothing can be promoted
 * while a promotion is starting.
 * @param {HTMLElement} list
 * @param {HTMLElement} summary
 * @param {ModelVersion[]} models newest first
 * @param {Promotion[]} promotions
 * @param {ListHooks} hooks
 */
export function renderModels(list, summary, models, promotions, hooks) {
  const wasLive = new Set(promotions.filter((p) => p.status === 'live' || p.status === 'replaced').map((p) => p.model_id));
  for (const model of models) if (model.promoted_at) wasLive.add(model.id);
  const state = { wasLive, busy: promotions.some((p) => p.status === 'starting') };
  list.replaceChildren(...models.map((model) => modelCard(model, state, hooks)));
  if (!models.length) list.append(h('p', { className: 'muted models-empty', 'data-testid': 'models-empty' }, t('modelsNoModels')));
  const live = models.find((model) => model.live);
  summary.textContent = live ? t('modelsLiveSummary', { name: modelName(live.id), file: fileName(live.path) }) : '';
  // Which model is live as shown, once it is: tests wait on it rather than on time.
  if (live) list.dataset.liveModel = String(live.id);
  else list.removeAttribute('data-live-model');
}

/**
 * @param {ModelVersion} model
 * @returns {string} who promoted it and when; '' if it never went live
 */
function promotedText(model) {
  if (!model.promoted_at) return '';
  const at = formatWhen(model.promoted_at);
  return model.promoted_by ? t('modelsPromotedBy', { admin: model.promoted_by, at }) : t('modelsLiveFromStart', { at });
}

/**
 * @param {ModelVersion} model
 * @param {ListState} state
 * @param {ListHooks} hooks
 * @returns {HTMLElement}
 */
function modelCard(model, state, hooks) {
  const rollback = state.wasLive.has(model.id);
  const name = modelName(model.id);
  const error = h('p', { className: 'form-error', role: 'alert', 'data-testid': 'model-error' });
  const start = h('button', {
    type: 'button', className: 'btn btn-small btn-primary', 'data-testid': 'model-promote', disabled: state.busy,
  }, rollback ? t('modelsRollBack') : t('modelsPromote'));
  const go = h('button', { type: 'button', className: 'btn btn-small btn-primary', 'data-testid': 'model-confirm-button' },
    rollback ? t('modelsConfirmRollBack', { name }) : t('modelsConfirmPromote', { name }));
  const cancel = h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'model-cancel' }, t('modelsCancel'));
  const confirm = h('div', {
    className: 'models-confirm', role: 'group', 'aria-label': start.textContent, 'data-testid': 'model-confirm',
    'data-rollback': String(rollback), hidden: true,
  },
    h('p', { 'data-testid': 'model-confirm-text' }, t(rollback ? 'modelsRollBackWhat' : 'modelsPromoteWhat', { name })),
    model.verdict === 'worse' && h('p', { className: 'review-warning' }, t('modelsWorseWarning')),
    h('div', { className: 'form-actions' }, go, cancel));

  /** @param {boolean} asking */
  const asking = (asking) => {
    confirm.hidden = !asking;
    start.hidden = asking;
    error.textContent = '';
    (asking ? go : start).focus();
  };
  start.addEventListener('click', () => asking(true));
  cancel.addEventListener('click', () => asking(false));
  go.addEventListener('click', async () => {
    go.disabled = true;
    cancel.disabled = true;
    const refused = await hooks.promote(model, rollback);
    if (!refused) return;  // started: the cards are drawn again, with nothing to promote meanwhile
    go.disabled = false;
    cancel.disabled = false;
    error.textContent = refused;
  });

  const promoted = promotedText(model);
  return h('article', {
    className: `models-card${model.live ? ' live' : ''}`, 'data-testid': 'model-card', 'data-model-id': model.id,
    'data-live': String(model.live), 'data-verdict': model.verdict || 'none',
  },
    h('header', { className: 'models-card-header' },
      h('h4', {}, name),
      model.live && h('span', { className: 'badge badge-success', 'data-testid': 'model-live' }, t('modelsLive')),
      verdictBadge(model.verdict),
      h('code', { className: 'muted models-file', title: model.path }, fileName(model.path))),
    h('p', { className: 'models-card-meta' },
      h('span', { 'data-testid': 'model-trained' }, trainedBy(model), ' · ',
        h('time', { datetime: model.created_at }, formatWhen(model.created_at))),
      promoted && h('span', { 'data-testid': 'model-promoted' }, promoted)),
    metricsSummary(model.metrics, hooks.languageName),
    !model.live && h('div', { className: 'models-card-actions' }, start, confirm, error));
}
