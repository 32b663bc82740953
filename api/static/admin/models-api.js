// @ts-check
/* The training and promotion API (api/routers/training.py) with the admin's bearer token. Errors are
   api.js's ApiError; modelsErrorText() says them the way the Models section shows them. */

import { ApiError, callApi } from './api.js';
import { t } from './strings.js';

/**
 * A training job (handoff/training/flows.py, public()); `log` only from GET /jobs/{id}.
 * @typedef {{id: number, status: string, stage: string, component: string | null, requested_by: string,
 *   started_at: string, finished_at: string | null, examples: number, held_out: number, error: string | null,
 *   model_id: number | null, log?: string}} TrainingJob
 */
/** @typedef {{live: number | null, new: number | null, delta: number | null}} Pair */
/**
 * One held-out set in one language, compared (bot/compare_models.py, compare_set()).
 * @typedef {{examples: number, correct: {live: number, new: number}, macro_f1: Pair, accuracy: Pair,
 *   ood_kept_out?: Pair}} SetComparison
 */
/**
 * The comparison with the model live when it was trained.
 * @typedef {{verdict: string, reasons: string[], live?: string, new?: string, limit?: number,
 *   tolerance?: number, sets: Record<string, Record<string, SetComparison>>}} ModelMetrics
 */
/**
 * A model made (GET /models): `live` whether the app's bot calls go to it now.
 * @typedef {{id: number, path: string, data_hash: string, trained_by: string | null, created_at: string,
 *   promoted_by: string | null, promoted_at: string | null, metrics: ModelMetrics | null,
 *   verdict: string | null, live: boolean}} ModelVersion
 */
/**
 * A promotion or a rollback (handoff/serving/flows.py, public()); `requested_by` null for the model the
 * deployment started with.
 * @typedef {{id: number, model_id: number, status: PromotionStatus, rollback: boolean,
 *   requested_by: string | null, url: string | null, started_at: string, live_at: string | null,
 *   replaced_at: string | null, error: string | null}} Promotion
 */
/** @typedef {'starting' | 'live' | 'replaced' | 'failed'} PromotionStatus */

const BASE_PATH = 'api/admin/training';
// Enough of the log to see where Rasa is and why it failed, small enough to ask for every poll.
const LOG_TAIL = 3000;

/**
 * Starts a job (409 while one runs, 503 when the app cannot train).
 * @param {URL} base
 * @param {string} token
 * @returns {Promise<TrainingJob>}
 */
export function startJob(base, token) {
  return callApi(base, token, `${BASE_PATH}/jobs`, { method: 'POST' });
}

/**
 * @param {URL} base
 * @param {string} token
 * @returns {Promise<TrainingJob[]>} newest first
 */
export function listJobs(base, token) {
  return callApi(base, token, `${BASE_PATH}/jobs`);
}

/**
 * @param {URL} base
 * @param {string} token
 * @param {number} jobId
 * @returns {Promise<TrainingJob>} with the tail of its log
 */
export function getJob(base, token, jobId) {
  return callApi(base, token, `${BASE_PATH}/jobs/${jobId}?log_tail=${LOG_TAIL}`);
}

/**
 * @param {URL} base
 * @param {string} token
 * @returns {Promise<ModelVersion[]>} newest first
 */
export function listModels(base, token) {
  return callApi(base, token, `${BASE_PATH}/models`);
}

/**
 * Puts a model into service (a rollback if it was live before); 409 while a promotion starts or for
 * the live model, 503 when the app cannot start Rasa servers.
 * @param {URL} base
 * @param {string} token
 * @param {number} modelId
 * @returns {Promise<Promotion>}
 */
export function promote(base, token, modelId) {
  return callApi(base, token, `${BASE_PATH}/models/${modelId}/promote`, { method: 'POST' });
}

/**
 * @param {URL} base
 * @param {string} token
 * @returns {Promise<Promotion[]>} newest first
 */
export function listPromotions(base, token) {
  return callApi(base, token, `${BASE_PATH}/promotions`);
}

/**
 * @param {URL} base
 * @param {string} token
 * @param {number} promotionId
 * @returns {Promise<Promotion>}
 */
export function getPromotion(base, token, promotionId) {
  return callApi(base, token, `${BASE_PATH}/promotions/${promotionId}`);
}

/**
 * What went wrong, for the page: the server's own sentence for a refusal (409, 503, 404).
 * @param {unknown} err
 * @returns {string}
 */
export function modelsErrorText(err) {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  if (err.status === 0) return t('unreachable');
  if ([404, 409, 503].includes(err.status) && typeof err.detail === 'string') {
    return t('modelsRefused', { detail: err.detail });
  }
  return t('modelsFailed', { status: err.status, detail: err.message });
}
