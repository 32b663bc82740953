// @ts-check
/* The Models section of the admin page (admins only, below the review inbox): training jobs, started
   and followed live (models-training.js, models-jobs.js), the models made with their comparison with
   the live one (models-list.js), promoting one or rolling back to one, followed until it is live or
   failed (models-promotion.js), and the promotion history (models-history.js). Like the rest of the
   page it shows the API's answers: a 401/403 goes to the page (signed out, "admins only"), a refusal
   (409, 503) is said where it was asked for. */

import { byId, h } from '../shared/dom.js';
import { ApiError } from './api.js';
import {
  getJob, getPromotion, listJobs, listModels, listPromotions, modelsErrorText, promote, startJob,
} from './models-api.js';
import { historyTable } from './models-history.js';
import { jobsTable } from './models-jobs.js';
import { renderModels } from './models-list.js';
import { promotionFollower, promotionWhat } from './models-promotion.js';
import { trainingPanel } from './models-training.js';
import { modelName } from './models-util.js';
import { t } from './strings.js';

/** @typedef {import('./api.js').AdminMeta} AdminMeta */
/** @typedef {import('./models-api.js').ModelVersion} ModelVersion */
/** @typedef {import('./models-api.js').Promotion} Promotion */
/** @typedef {import('./models-api.js').TrainingJob} TrainingJob */
/**
 * @typedef {object} ModelsHooks
 * @property {URL} base the app's address
 * @property {() => string} token the signed-in admin's bearer token
 * @property {(err: ApiError) => boolean} handled true if the page dealt with it (signed out, not an admin)
 * @property {(text: string, kind?: 'info' | 'error') => void} notice
 */

const ui = {
  root: byId('models-view'),
  live: h('span', { className: 'muted', 'data-testid': 'models-live-summary' }),
  refresh: h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'models-refresh' }, t('modelsRefresh')),
  error: h('p', { className: 'form-error', role: 'alert', 'data-testid': 'models-error' }),
  jobs: h('div', { 'data-testid': 'models-jobs' }),
  models: h('div', { className: 'models-cards', 'data-testid': 'models-list' }),
  history: h('div', { 'data-testid': 'models-history' }),
};

/** @type {ModelsHooks | null} */
let hooks = null;
/** @type {AdminMeta | null} */
let meta = null;
let shown = false;
// Each load's number: an answer to an older one is dropped.
let generation = 0;

const base = () => hooks?.base || new URL('./', window.location.href);
const token = () => hooks?.token() || '';
/** @param {unknown} err @returns {boolean} whether the page dealt with it (signed out, not an admin) */
const handled = (err) => err instanceof ApiError && Boolean(hooks?.handled(err));
/** @param {string} code @returns {string} */
const languageName = (code) => meta?.languages.find((l) => l.code === code)?.name || code;

const training = trainingPanel({
  start: () => startJob(base(), token()),
  get: (jobId) => getJob(base(), token(), jobId),
  handled,
  changed: (job) => {
    if (job?.status === 'succeeded') hooks?.notice(t('modelsJobDone', { id: job.id, name: modelName(job.model_id ?? 0) }));
    if (job?.status === 'failed') hooks?.notice(t('modelsJobFailed', { id: job.id }), 'error');
    refresh();
  },
});

const follower = promotionFollower({
  get: (promotionId) => getPromotion(base(), token(), promotionId),
  handled,
  settled: (promotion) => {
    const vars = { what: promotionWhat(promotion), name: modelName(promotion.model_id) };
    if (promotion.status === 'live') hooks?.notice(t('modelsNowLive', vars));
    else hooks?.notice(t('modelsPromotionFailedShort', vars), 'error');
    refresh();
  },
});

/** @param {ModelsHooks} modelsHooks */
export function initModels(modelsHooks) {
  hooks = modelsHooks;
  /** @param {string} title @param {...(HTMLElement | false)} content */
  const block = (title, ...content) => h('section', { className: 'models-block', 'aria-label': title },
    h('h3', {}, title), ...content);
  ui.root.replaceChildren(h('section', { className: 'admin-main' },
    h('header', { className: 'admin-header' }, h('h2', {}, t('modelsTitle')), ui.live, ui.refresh),
    h('div', { className: 'models-body' },
      h('p', { className: 'muted models-intro' }, t('modelsIntro')),
      ui.error,
      block(t('modelsTrainingTitle'), training.controls, training.panel, h('h4', {}, t('modelsRecentJobs')), ui.jobs),
      block(t('modelsListTitle'), follower.element, ui.models),
      block(t('modelsHistoryTitle'), ui.history))));
  ui.refresh.addEventListener('click', () => refresh());
}

/**
 * Shows the section for an admin, loaded; later calls (the team reloaded) leave it as it is.
 * @param {AdminMeta} adminMeta
 */
export async function showModels(adminMeta) {
  if (shown) return;
  shown = true;
  meta = adminMeta;
  ui.root.hidden = false;
  await refresh();
}

/** Hides and empties the section (signed out, or not an admin); stops following anything. */
export function clearModels() {
  shown = false;
  generation += 1;
  ui.root.hidden = true;
  training.clear();
  follower.clear();
  for (const part of [ui.jobs, ui.models, ui.history]) part.replaceChildren();
  ui.models.removeAttribute('data-live-model');
  ui.error.textContent = '';
  ui.live.textContent = '';
}

/** Reloads the jobs, the models and the promotions. */
async function refresh() {
  const mine = ++generation;
  ui.error.textContent = '';
  ui.models.setAttribute('aria-busy', 'true');
  try {
    const [jobs, models, promotions] = await Promise.all(
      [listJobs(base(), token()), listModels(base(), token()), listPromotions(base(), token())]);
    if (mine === generation) render(jobs, models, promotions);
  } catch (err) {
    if (mine !== generation || handled(err)) return;
    ui.error.textContent = t('modelsLoadFailed', { detail: modelsErrorText(err) });
  } finally {
    if (mine === generation) ui.models.removeAttribute('aria-busy');
  }
}

/**
 * @param {TrainingJob[]} jobs
 * @param {ModelVersion[]} models
 * @param {Promotion[]} promotions
 */
function render(jobs, models, promotions) {
  ui.jobs.replaceChildren(jobsTable(jobs, training.show));
  const running = jobs.find((job) => job.status === 'running');
  if (running && training.following() !== running.id) training.show(running.id);

  // Another admin's promotion, or one left starting when the page was reloaded, is followed too.
  const starting = promotions.find((p) => p.status === 'starting');
  if (starting && follower.following() !== starting.id) follower.follow(starting);
  renderModels(ui.models, ui.live, models, promotions, { promote: startPromotion, languageName });
  ui.history.replaceChildren(historyTable(promotions));
}

/**
 * @param {ModelVersion} model
 * @param {boolean} rollback
 * @returns {Promise<string | null>} why it did not start; null once it did (or the page dealt with it)
 */
async function startPromotion(model, rollback) {
  try {
    follower.follow(await promote(base(), token(), model.id));
    hooks?.notice(t(rollback ? 'modelsRollbackStarted' : 'modelsPromotionStarted', { name: modelName(model.id) }));
    refresh();
    return null;
  } catch (err) {
    if (handled(err)) return null;
    const text = modelsErrorText(err);
    // Another admin was quicker, or the model went live meanwhile: show how things are now (the
    // cards are drawn again, so it is said page-wide too).
    if (err instanceof ApiError && err.status === 409) {
      hooks?.notice(text, 'error');
      refresh();
    }
    return text;
  }
}
