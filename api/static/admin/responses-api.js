// @ts-check
/* The bot responses' admin API (api/routers/bot_responses.py) with the admin's bearer token. Errors are
   api.js's ApiError; a 422 carries the server's own sentence (a placeholder the bot does not fill, a
   text too long...), said as it is. */

import { parseTime } from '../shared/time.js';
import { ApiError, callApi, violationsByField } from './api.js';
import { t } from './strings.js';

/**
 * One language of a response (handoff/responses/schemas.py, LanguageText): the text in bot/domain
 * (null: none of its own) and the admin's text in effect (null: the original), with the latest change.
 * @typedef {{language: string, original: string | null, edited: string | null, edited_by: string | null,
 *   edited_at: string | null}} LanguageText
 */
/**
 * @typedef {{name: string, placeholders: string[], buttons: boolean, other_variants: number,
 *   languages: LanguageText[]}} BotResponse
 */
/** @typedef {{response: string, language: string, text: string | null, admin_id: string, at: string}} ResponseChange */

const BASE_PATH = 'api/admin/responses';

/**
 * @param {URL} base
 * @param {string} token
 * @returns {Promise<BotResponse[]>} by name
 */
export function listResponses(base, token) {
  return callApi(base, token, BASE_PATH);
}

/**
 * Sets the text the next trained model says; null goes back to the text in bot/domain.
 * @param {URL} base
 * @param {string} token
 * @param {string} name
 * @param {string} language
 * @param {string | null} text
 * @returns {Promise<BotResponse>} the response as it is now
 */
export function saveText(base, token, name, language, text) {
  const path = `${BASE_PATH}/${encodeURIComponent(name)}/${encodeURIComponent(language)}`;
  return callApi(base, token, path, { method: 'PUT', body: { text } });
}

/**
 * @param {URL} base
 * @param {string} token
 * @param {string} name
 * @returns {Promise<ResponseChange[]>} oldest first
 */
export function responseHistory(base, token, name) {
  return callApi(base, token, `${BASE_PATH}/${encodeURIComponent(name)}/history`);
}

/**
 * What went wrong, for the page: the server's own sentence for a 422 or 404.
 * @param {unknown} err
 * @returns {string}
 */
export function responsesErrorText(err) {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  if (err.status === 0) return t('unreachable');
  if (err.status === 404) return t('responsesGone');
  if (err.status !== 422) return t('responsesFailed', { status: err.status, detail: err.message });
  if (typeof err.detail === 'string') return t('responsesRefused', { detail: err.detail });
  const parts = [...violationsByField(err.detail, ['text'])].map(([, messages]) => messages.join(' '));
  return t('responsesRefused', { detail: parts.join(' ') });
}

/**
 * "12 Dec 2026, 10:42" in the browser's locale.
 * @param {string | null} iso
 * @returns {string}
 */
export function when(iso) {
  const ms = parseTime(iso);
  if (Number.isNaN(ms)) return '';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}
