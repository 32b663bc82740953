// @ts-check
/* The dashboard API (api/routers/dashboard.py) with the signed-in agent's bearer token: the figures
   as JSON, and the same as a CSV file. Failures are ApiError (status 0: the server was not reached). */

/**
 * @typedef {{count: number, p50_s: number | null, p90_s: number | null, mean_s: number | null}} Durations
 * @typedef {{conversations: number, contained: number, containment_rate: number | null, handed_off: number,
 *   handoff_rate: number | null, assigned: number, closed: number, customer_messages: number,
 *   waiting: Durations, first_response: Durations, resolution: Durations, rated: number,
 *   csat_average: number | null, suggestions: number, suggestions_used: number}} Summary
 * @typedef {Summary & {day: string}} DaySummary
 * @typedef {Summary & {language: string}} LanguageSummary
 * @typedef {{reason: string, label: string, count: number, rate: number}} ReasonFigure
 * @typedef {{rated: number, average: number | null, satisfied_rate: number | null,
 *   distribution: {score: number, count: number}[]}} CsatFigure
 * @typedef {{intent: string, fallback: number, low_confidence: number, total: number}} IntentFigure
 * @typedef {{suggestions: number, sent: number, edited: number, tool: number, ignored: number,
 *   undecided: number, used: number, used_rate: number | null}} AssistFigure
 * @typedef {{start: string, end: string, language: string | null, timezone: string, totals: Summary,
 *   handoff_reasons: ReasonFigure[], csat: CsatFigure, busiest_hours: {hour: number, customer_messages: number}[],
 *   fallback_intents: IntentFigure[], assist: AssistFigure, days: DaySummary[],
 *   languages: LanguageSummary[]}} Dashboard
 * @typedef {{from?: string, to?: string, language?: string}} Filters  empty values are left out
 */

/** A refused or failed call. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {unknown} detail the answer's `detail` (a string, or a 422's list of complaints)
   */
  constructor(status, detail) {
    super(typeof detail === 'string' ? detail : Array.isArray(detail)
      ? detail.map((d) => d?.msg || '').filter(Boolean).join('; ') : `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

/**
 * @param {URL} base
 * @param {string} path
 * @param {Filters} filters
 * @returns {URL}
 */
function urlFor(base, path, filters) {
  const url = new URL(path, base);
  for (const [key, value] of Object.entries(filters)) if (value) url.searchParams.set(key, value);
  return url;
}

/**
 * @param {URL} url
 * @param {string} token
 * @returns {Promise<Response>} a 2xx answer; ApiError otherwise
 */
async function get(url, token) {
  let response;
  try {
    response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError(0, null);
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(response.status, body?.detail ?? null);
  }
  return response;
}

/**
 * @param {URL} base the app's address
 * @param {string} token
 * @param {Filters} filters
 * @returns {Promise<Dashboard>}
 */
export async function loadDashboard(base, token, filters) {
  return (await get(urlFor(base, 'api/dashboard', filters), token)).json();
}

/**
 * The CSV export, with the file name the server gave it.
 * @param {URL} base
 * @param {string} token
 * @param {Filters} filters
 * @returns {Promise<{blob: Blob, filename: string}>}
 */
export async function loadCsv(base, token, filters) {
  const response = await get(urlFor(base, 'api/dashboard.csv', filters), token);
  const named = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '');
  return { blob: await response.blob(), filename: named ? named[1] : 'dashboard.csv' };
}
