// @ts-check
/* The lists the server owns (GET /api/meta): handoff reasons with their labels, and the languages
   with their names and text direction. Fetched once per app; no page keeps a copy of its own. */

import { requestJson } from './http.js';

/** @typedef {{code: string, name: string, direction: 'ltr' | 'rtl'}} Language */
/** @typedef {{reasons: Record<string, string>, languages: Language[]}} Meta */

/** @type {Meta} */
export const EMPTY_META = Object.freeze({ reasons: {}, languages: [] });

/** @type {Map<string, Promise<Meta>>} */
const loaded = new Map();

/**
 * The app's meta, fetched on the first call for each app address and shared after that.
 * Resolves to EMPTY_META (and logs) if the request fails, so a page still starts.
 * @param {string | URL} base the app's address (ends with "/")
 * @returns {Promise<Meta>}
 */
export function loadMeta(base) {
  const key = String(base);
  let meta = loaded.get(key);
  if (!meta) {
    meta = requestJson(base, 'api/meta').then(
      (body) => ({ reasons: body.reasons || {}, languages: body.languages || [] }),
      (err) => {
        console.warn('could not load /api/meta', err);
        loaded.delete(key);
        return EMPTY_META;
      },
    );
    loaded.set(key, meta);
  }
  return meta;
}

/**
 * @param {Meta} meta
 * @param {string | null | undefined} code
 * @returns {Language | undefined}
 */
export function findLanguage(meta, code) {
  return meta.languages.find((language) => language.code === code);
}

/**
 * A supported language for `wanted`, else for `fallback` (e.g. the browser's), else the first one, else "en".
 * @param {Meta} meta
 * @param {(string | null | undefined)[]} wanted in order of preference
 * @returns {string}
 */
export function pickLanguage(meta, ...wanted) {
  for (const code of wanted) if (code && findLanguage(meta, code)) return code;
  return findLanguage(meta, 'en') ? 'en' : meta.languages[0]?.code || 'en';
}

/**
 * "rtl" for a right-to-left language, else "ltr".
 * @param {Meta} meta
 * @param {string} code
 * @returns {'ltr' | 'rtl'}
 */
export function directionOf(meta, code) {
  return findLanguage(meta, code)?.direction === 'rtl' ? 'rtl' : 'ltr';
}

/**
 * The label of a handoff reason code, or `fallback`.
 * @param {Meta} meta
 * @param {string | null | undefined} code
 * @param {string} fallback shown when there is no code
 * @returns {string}
 */
export function reasonLabel(meta, code, fallback) {
  return (code && meta.reasons[code]) || code || fallback;
}
