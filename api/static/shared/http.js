// @ts-check
/* HTTP calls to the app. Paths are resolved against the app's address, which for the embedded
   widget is the origin of its own script, not the host page's. */

/**
 * Fetches JSON; throws on a network error or a status other than 2xx.
 * @param {string | URL} base the app's address (ends with "/")
 * @param {string} path relative to `base`, e.g. "api/meta"
 * @param {RequestInit} [options]
 * @returns {Promise<any>}
 */
export async function requestJson(base, path, options = {}) {
  const url = new URL(path, base);
  const response = await fetch(url, options);
  if (!response.ok) throw new Error(`${options.method || 'GET'} ${url.pathname}: HTTP ${response.status}`);
  return response.json();
}

/**
 * JSON POST options.
 * @param {unknown} body
 * @returns {RequestInit}
 */
export function postJson(body) {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
