// @ts-check
/* The agents' sign-in view (console and admin page): the form with the ids `login-view`,
   `login-form`, `login-agent`, `login-password`, `login-button`, `login-error`, the login endpoint
   (POST /api/agent/login), and the session kept in sessionStorage (per tab) under a page's own key.
   What the account may do is the API's answer, never the page's guess. */

import { byId } from './dom.js';
import { postJson } from './http.js';
import { readJson, writeJson } from './storage.js';

/** @typedef {{agent_id: string, display_name?: string, role?: string, token: string}} Session */
/** @typedef {import('./strings.js').Translate} Translate */

export class SignIn {
  /**
   * @param {string} sessionKey where this page keeps its session
   * @param {Translate} t the page's strings: loginUnreachable, loginRefused, loginFailed
   */
  constructor(sessionKey, t) {
    this.sessionKey = sessionKey;
    this.t = t;
    this.ui = {
      view: byId('login-view'),
      form: /** @type {HTMLFormElement} */ (byId('login-form')),
      agent: /** @type {HTMLInputElement} */ (byId('login-agent')),
      password: /** @type {HTMLInputElement} */ (byId('login-password')),
      button: /** @type {HTMLButtonElement} */ (byId('login-button')),
      error: byId('login-error'),
    };
  }

  /** @returns {Session | null} this tab's session, if signed in */
  stored() {
    const session = readJson('session', this.sessionKey);
    return session?.token ? session : null;
  }

  forget() {
    writeJson('session', this.sessionKey, null);
  }

  /**
   * Wires the form.
   * @param {URL} base the app's address
   * @param {(session: Session) => void} onSignedIn
   */
  init(base, onSignedIn) {
    const { ui } = this;
    ui.form.addEventListener('submit', async (event) => {
      event.preventDefault();
      ui.error.textContent = '';
      ui.button.disabled = true;
      try {
        const session = await this.request(base, ui.agent.value.trim(), ui.password.value);
        writeJson('session', this.sessionKey, session);
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
  async request(base, agentId, password) {
    let response;
    try {
      response = await fetch(new URL('api/agent/login', base), postJson({ agent_id: agentId, password }));
    } catch {
      throw new Error(this.t('loginUnreachable'));
    }
    if (response.status === 401) throw new Error(this.t('loginRefused'));
    if (!response.ok) throw new Error(this.t('loginFailed', { status: response.status }));
    return response.json();
  }

  /**
   * Shows the form (at start, or after signing out with `message`).
   * @param {string} [message]
   */
  show(message = '') {
    this.ui.view.hidden = false;
    this.ui.error.textContent = message;
    this.ui.agent.focus();
  }

  hide() {
    this.ui.view.hidden = true;
  }
}
