// @ts-check
/* JSON in localStorage / sessionStorage. Storage can throw (private mode, quota, a sandboxed frame):
   then nothing is kept and the page still works for this view. */

/** @typedef {'local' | 'session'} StorageKind */

/** @param {StorageKind} kind */
function area(kind) {
  return kind === 'local' ? window.localStorage : window.sessionStorage;
}

/**
 * @param {StorageKind} kind
 * @param {string} key
 * @returns {any} the stored value, or null
 */
export function readJson(kind, key) {
  try {
    return JSON.parse(area(kind).getItem(key) || 'null');
  } catch {
    return null;
  }
}

/**
 * @param {StorageKind} kind
 * @param {string} key
 * @param {unknown} value null or undefined removes the key
 */
export function writeJson(kind, key, value) {
  try {
    if (value == null) area(kind).removeItem(key);
    else area(kind).setItem(key, JSON.stringify(value));
  } catch {
    /* not persisted */
  }
}
