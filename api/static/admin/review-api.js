// @ts-check
/* The review inbox's admin API (api/routers/review.py) with the admin's bearer token. Errors are
   api.js's ApiError: 422 with the server's detail, 503 when the assistant cannot be reached. */

import { ApiError, callApi, violationsByField } from './api.js';
import { t } from './strings.js';

/**
 * A customer message in the inbox (handoff/review/schemas.py, ReviewItemPublic); `text` is redacted.
 * @typedef {{id: number, conversation_id: string, seq: number, text: string, language: string,
 *   reasons: string[], intent: string | null, confidence: number, runner_up: string | null,
 *   runner_up_confidence: number, neighbourhood: string | null, entities: EntitySpan[], created_at: string,
 *   status: ReviewStatus, annotated_intent: string | null, annotated_by: string | null,
 *   annotated_at: string | null}} ReviewItem
 */
/** An entity in an item's redacted text, by offsets. @typedef {{start: number, end: number, entity: string}} EntitySpan */
/**
 * Messages of one language and e5 neighbourhood; `intent` is the model's reading of the first one.
 * @typedef {{key: string, language: string, intent: string | null, items: ReviewItem[]}} ReviewGroup
 */
/** @typedef {{count: number, groups: ReviewGroup[]}} ReviewInbox */
/** @typedef {'open' | 'annotated' | 'dismissed'} ReviewStatus */
/** @typedef {'annotate' | 'dismiss' | 'reopen'} ReviewAction */
/** @typedef {{admin_id: string, action: string, intent: string | null, entities: EntitySpan[] | null, at: string}} ReviewChange */
/** @typedef {{path: string, language: string, examples: number}} ExportedFile */
/**
 * The inbox's filters; an empty value is no filter (the status is always given: the API has no "any").
 * @typedef {{status: ReviewStatus, language: string, reason: string, intent: string}} ReviewFilter
 */

const BASE_PATH = 'api/admin/review';

/**
 * @param {URL} base
 * @param {string} token
 * @param {ReviewFilter} filter
 * @returns {Promise<ReviewInbox>}
 */
export function listReview(base, token, filter) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value) query.set(key, value);
  return callApi(base, token, `${BASE_PATH}?${query}`);
}

/**
 * The live model's intents (503 when the assistant is unreachable).
 * @param {URL} base
 * @param {string} token
 * @returns {Promise<string[]>}
 */
export function listIntents(base, token) {
  return callApi(base, token, `${BASE_PATH}/intents`);
}

/**
 * The live model's entities (503 when the assistant is unreachable).
 * @param {URL} base
 * @param {string} token
 * @returns {Promise<string[]>}
 */
export function listEntities(base, token) {
  return callApi(base, token, `${BASE_PATH}/entities`);
}

/**
 * Replaces a message's entities (422 with the reason when a span cannot be trained on).
 * @param {URL} base
 * @param {string} token
 * @param {number} itemId
 * @param {EntitySpan[]} spans
 * @returns {Promise<ReviewItem>}
 */
export function setEntities(base, token, itemId, spans) {
  return callApi(base, token, `${BASE_PATH}/${itemId}/entities`, { method: 'PUT', body: { entities: spans } });
}

/**
 * @param {URL} base
 * @param {string} token
 * @param {number[]} itemIds
 * @param {ReviewAction} action
 * @param {string} [intent] to annotate with
 * @returns {Promise<ReviewItem[]>} the items changed (unknown ids are skipped)
 */
export function decide(base, token, itemIds, action, intent) {
  return callApi(base, token, `${BASE_PATH}/decisions`, {
    method: 'POST', body: { item_ids: itemIds, action, ...(action === 'annotate' ? { intent } : {}) },
  });
}

/**
 * @param {URL} base
 * @param {string} token
 * @param {number} itemId
 * @returns {Promise<ReviewChange[]>} oldest first
 */
export function itemHistory(base, token, itemId) {
  return callApi(base, token, `${BASE_PATH}/${itemId}/history`);
}

/**
 * Writes every annotated message as Rasa NLU data, a file per language.
 * @param {URL} base
 * @param {string} token
 * @returns {Promise<ExportedFile[]>}
 */
export function exportTraining(base, token) {
  return callApi(base, token, `${BASE_PATH}/export`, { method: 'POST' });
}

/**
 * What went wrong, for the page: the server's own words for a 422, "assistant unreachable" for a 503.
 * @param {unknown} err
 * @returns {string}
 */
export function reviewErrorText(err) {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  if (err.status === 0) return t('unreachable');
  if (err.status === 503) return t('reviewAssistantUnreachable');
  if (err.status === 404) return t('reviewGone');
  if (err.status !== 422) return t('reviewFailed', { status: err.status, detail: err.message });
  // A 422 is either the route's own sentence or pydantic's complaints, by field (`loc`).
  if (typeof err.detail === 'string') return t('reviewRefused', { detail: err.detail });
  const byField = violationsByField(err.detail, ['intent', 'item_ids', 'action']);
  const parts = [...byField].map(([field, messages]) => `${field ? `${field}: ` : ''}${messages.join(' ')}`);
  if (byField.has('intent')) parts.push(t('reviewIntentRule'));
  return t('reviewRefused', { detail: parts.join(' ') });
}
