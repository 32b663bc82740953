// @ts-check
/* The admin API (api/routers/admin.py) with the signed-in agent's bearer token, its errors as
   ApiError, and the lists the admin page needs from GET /api/meta. */

import { requestJson } from '../shared/http.js';

/** @typedef {import('../shared/meta.js').Language} Language */
/**
 * An agent as the admin API returns it (handoff/agents/schemas.py, AgentPublic).
 * @typedef {{id: string, display_name: string, role: string, skills: string[], languages: string[],
 *   max_chats: number, presence: string}} Agent
 */
/** @typedef {{role?: string, skills?: string[], languages?: string[], max_chats?: number | string,
 *   display_name?: string, password?: string, id?: string}} AgentChanges */
/**
 * The server's lists: role and skill codes with their labels, the languages with their names.
 * @typedef {{roles: Record<string, string>, skills: Record<string, string>, languages: Language[],
 *   review_reasons: Record<string, string>}} AdminMeta
 */
/**
 * One complaint of a 422 answer (FastAPI's validation error).
 * @typedef {{loc?: (string | number)[], msg?: string, type?: string}} Violation
 */

/** A refused or failed call: `status` 0 when the server could not be reached. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {unknown} detail the answer's `detail` (a string, or a list of violations for 422)
   */
  constructor(status, detail) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

/**
 * Calls the app with the agent's token. Resolves to the JSON answer; throws ApiError otherwise.
 * @param {URL} base the app's address
 * @param {string} token
 * @param {string} path relative to `base`, e.g. "api/admin/agents"
 * @param {{method?: string, body?: unknown}} [options]
 * @returns {Promise<any>}
 */
export async function callApi(base, token, path, { method = 'GET', body } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(new URL(path, base), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data?.detail ?? null);
  return data;
}

/**
 * @param {URL} base
 * @param {string} token
 * @returns {Promise<Agent[]>}
 */
export function listAgents(base, token) {
  return callApi(base, token, 'api/admin/agents');
}

/**
 * @param {URL} base
 * @param {string} token
 * @param {AgentChanges} body
 * @returns {Promise<Agent>}
 */
export function createAgent(base, token, body) {
  return callApi(base, token, 'api/admin/agents', { method: 'POST', body });
}

/**
 * @param {URL} base
 * @param {string} token
 * @param {string} agentId
 * @param {AgentChanges} body only the fields to change
 * @returns {Promise<Agent>}
 */
export function changeAgent(base, token, agentId, body) {
  return callApi(base, token, `api/admin/agents/${encodeURIComponent(agentId)}`, { method: 'PATCH', body });
}

/**
 * Roles, skills, languages and review reasons from GET /api/meta (shared/meta.js keeps only handoff
 * reasons and languages).
 * @param {URL} base
 * @returns {Promise<AdminMeta>}
 */
export async function loadAdminMeta(base) {
  const body = await requestJson(base, 'api/meta');
  return { roles: body.roles || {}, skills: body.skills || {}, languages: body.languages || [],
    review_reasons: body.review_reasons || {} };
}

/**
 * A 422's violations by field (`loc` ["body", field, ...]); those of no known field under "".
 * @param {unknown} detail
 * @param {string[]} fields
 * @returns {Map<string, string[]>}
 */
export function violationsByField(detail, fields) {
  /** @type {Map<string, string[]>} */
  const out = new Map();
  for (const item of /** @type {Violation[]} */ (Array.isArray(detail) ? detail : [])) {
    const loc = item.loc || [];
    const field = loc[0] === 'body' && fields.includes(String(loc[1])) ? String(loc[1]) : '';
    // Pydantic prefixes a validator's own message with "Value error, ".
    const text = String(item.msg || item.type || '').replace(/^Value error, /, '');
    out.set(field, [...(out.get(field) || []), text]);
  }
  return out;
}
