// @ts-check
/* The admins' own training examples (api/routers/examples.py) with the admin's bearer token. An
   example is written in Rasa's inline form, "cancel [10007](order_id)"; the server redacts it and
   answers with what it stored. Errors are api.js's ApiError (422 with the reason, 503 without the
   assistant, whose entities are needed to check the example). */

import { callApi } from './api.js';

/**
 * @typedef {{id: number, language: string, intent: string, text: string,
 *   entities: import('./review-api.js').EntitySpan[], marked: string, created_by: string,
 *   created_at: string, updated_at: string}} Example
 */
/** @typedef {{language: string, intent: string, text: string}} ExampleDraft */
/** @typedef {{admin_id: string, action: string, intent: string, text: string, at: string}} ExampleChange */

const BASE_PATH = 'api/admin/examples';

/**
 * @param {URL} base
 * @param {string} token
 * @param {{language?: string, intent?: string}} filter
 * @returns {Promise<Example[]>}
 */
export function listExamples(base, token, filter) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value) query.set(key, value);
  return callApi(base, token, `${BASE_PATH}?${query}`);
}

/**
 * @param {URL} base
 * @param {string} token
 * @param {ExampleDraft} draft
 * @param {number | null} id the example to change, or null to add one
 * @returns {Promise<Example>}
 */
export function saveExample(base, token, draft, id) {
  return id === null
    ? callApi(base, token, BASE_PATH, { method: 'POST', body: draft })
    : callApi(base, token, `${BASE_PATH}/${id}`, { method: 'PUT', body: draft });
}

/**
 * @param {URL} base
 * @param {string} token
 * @param {number} id
 * @returns {Promise<null>}
 */
export function deleteExample(base, token, id) {
  return callApi(base, token, `${BASE_PATH}/${id}`, { method: 'DELETE' });
}

/**
 * @param {URL} base
 * @param {string} token
 * @param {number} id
 * @returns {Promise<ExampleChange[]>} oldest first
 */
export function exampleHistory(base, token, id) {
  return callApi(base, token, `${BASE_PATH}/${id}/history`);
}
