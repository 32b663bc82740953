// @ts-check
/* The sign-in view and the session, as the console does it: the same endpoint (POST
   /api/agent/login), the token kept in sessionStorage (per tab). Whether the account may manage
   the team is the admin API's answer, not this page's guess. */

import { byId } from '../shared/dom.js';
import { postJson } from '../shared/http.js';
import { readJson, writeJson } from '../shared/storage.js';
import { t } from './strings.js';

/** @typedef {{agent_id: string, display_name?: string, role?: string, token: string}} Session */

const SESSION_KEY = 'shopbot.admin.session';

const ui = {
  view: byId('login-view'),
  form: /** @type {HTMLFormElement} */ (byId('login-form')),
  agent: /** @type {HTMLInputElement} */ (byId('login-agent')),
  password: /** @type {HTMLInputElement} */ (byId('login-password')),
  button: /** @type {HTMLButtonElement} */ (byId('login-button')),
  error: byId('login-error'),
};

/** @returns {Session | null} this tab's session, if signed in */
export function storedSession() {
  const session = readJson('session', SESSION_KEY);
  return session?.token ? session : null;
}

export function forgetSession() {
  writeJson('session', SESSION_KEY, null);
}

/**
 * Wires the sign-in form.
 * @param {URL} base the app's address
 * @param {(session: Session) => void} onSignedIn
 */
export function initLogin(base, onSignedIn) {
  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    ui.error.textContent = '';
    ui.button.disabled = true;
    try {
      const session = await signIn(base, ui.agent.value.trim(), ui.password.value);
      writeJson('session', SESSION_KEY, session);
      ui.password.value = '';
      ui.view.hidden = true;
      onSignedIn(session);
    } catch (err) {
      ui.error.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      ui.button.disabled = false;
    }
  });
}

/**
 * @param {URL} base
 * @param {string} agentId
 * @param {string} password
 * @returns {Promise<Session>}
 */
async function signIn(base, agentId, password) {
  let response;
  try {
    response = await fetch(new URL('api/agent/login', base), postJson({ agent_id: agentId, password }));
  } catch {
    throw new Error(t('loginUnreachable'));
  }
  if (response.status === 401) throw new Error(t('loginRefused'));
  if (!response.ok) throw new Error(t('loginFailed', { status: response.status }));
  return response.json();
}

/**
 * Shows the sign-in form (at start, or after signing out with `message`).
 * @param {string} [message]
 */
export function showLogin(message = '') {
  ui.view.hidden = false;
  ui.error.textContent = message;
  ui.agent.focus();
}

export function hideLogin() {
  ui.view.hidden = true;
}
