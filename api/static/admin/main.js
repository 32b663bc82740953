// @ts-check
/* The team admin page: signs in like the console, then asks the admin API for the team. The API
   decides who is an admin: a 403 shows "admins only" and no team. For admins: the team table
   (team-table.js) and the form to add or edit an agent (agent-form.js), the canned responses
   (canned-editor.js), the review inbox (review-inbox.js), the bot's responses (responses-editor.js) and
   the models (models-section.js). */

import { noticeIn } from '../shared/notice.js';
import { byId, displayName } from '../shared/dom.js';
import { ApiError, changeAgent, createAgent, listAgents, loadAdminMeta } from './api.js';
import { editingId, initAgentForm, setChoices, startAdd, startEdit } from './agent-form.js';
import { clearCanned, initCannedEditor, loadCanned } from './canned-editor.js';
import { clearModels, initModels, showModels } from './models-section.js';
import { clearExamples, initExamples, showExamples } from './examples-editor.js';
import { clearResponses, initResponsesEditor, showResponses } from './responses-editor.js';
import { clearReview, initReviewInbox, showReview } from './review-inbox.js';
import { forgetSession, hideLogin, initLogin, showLogin, storedSession } from './session.js';
import { t } from './strings.js';
import { clearTeam, initTeamTable, markEditing, renderTeam } from './team-table.js';

/** @typedef {import('./session.js').Session} Session */
/** @typedef {import('./api.js').Agent} Agent */
/** @typedef {import('./api.js').AdminMeta} AdminMeta */

const APP_BASE = new URL('./', window.location.href);
// The admins' sections below the team, in page order: each built once, shown for an admin (its
// data loaded the first time), emptied and hidden on sign-out or a refusal.
const SECTIONS = [
  { init: initCannedEditor, show: loadCanned, clear: clearCanned },
  { init: initReviewInbox, show: showReview, clear: clearReview },
  { init: initExamples, show: showExamples, clear: clearExamples },
  { init: initResponsesEditor, show: showResponses, clear: clearResponses },
  { init: initModels, show: showModels, clear: clearModels },
];
const NOTICE_MS = 6000;

const ui = {
  name: byId('admin-name'),
  logout: byId('logout-button'),
  refused: byId('refused-view'),
  refusedText: byId('refused-text'),
  refusedLogout: byId('refused-logout'),
  team: byId('team-view'),
  nav: byId('admin-nav'),
  refresh: /** @type {HTMLButtonElement} */ (byId('refresh-button')),
  add: byId('new-agent-button'),
  notice: byId('notice'),
};

/** @type {Session | null} */
let session = null;
/** @type {AdminMeta | null} */
let meta = null;

/** A toast at the bottom of the page. */
const showNotice = noticeIn(ui.notice, NOTICE_MS);

/** @returns {string} the signed-in agent's name */
function sessionName() {
  return session?.display_name || displayName(session?.agent_id);
}

// ---- what the API said about the session ---------------------------------------------------------

/**
 * Signed out (401) or not an admin (403): the page stops showing the team.
 * @param {ApiError} err
 * @returns {boolean} whether it was one of those
 */
function handleAuth(err) {
  if (err.status === 401) {
    logout(t('sessionExpired'));
    return true;
  }
  if (err.status === 403) {
    refuse();
    return true;
  }
  return false;
}

/** Signed in, but the admin API refuses this account: say so, show nothing of the team. */
function refuse() {
  clearTeam();
  for (const section of SECTIONS) section.clear();
  ui.team.hidden = true;
  ui.nav.hidden = true;
  ui.refusedText.textContent = t('adminsOnly', { name: sessionName() });
  ui.refused.hidden = false;
}

// ---- the team -------------------------------------------------------------------------------------

/**
 * Loads the lists (once) and the team, and shows them.
 * @param {string | null} [changedId] the row to mark as just added or saved
 */
async function loadTeam(changedId = null) {
  if (!session) return;
  ui.refresh.disabled = true;
  try {
    if (!meta) {
      try {
        meta = await loadAdminMeta(APP_BASE);
      } catch (err) {
        showNotice(t('metaFailed', { detail: err instanceof Error ? err.message : String(err) }), 'error');
        return;
      }
      setChoices(meta);
      startAdd(session.agent_id);
    }
    const agents = await listAgents(APP_BASE, session.token);
    ui.refused.hidden = true;
    renderTeam(agents, meta, { editingId: editingId(), changedId });
    ui.team.hidden = false;
    ui.nav.hidden = false;
    for (const section of SECTIONS) section.show(/** @type {AdminMeta} */ (meta));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (handleAuth(err)) return;
    showNotice(err.status === 0 ? t('unreachable') : t('loadFailed', { status: err.status }), 'error');
  } finally {
    ui.refresh.disabled = false;
  }
}

/**
 * @param {Agent} agent
 * @param {'add' | 'edit'} mode
 */
function saved(agent, mode) {
  showNotice(t(mode === 'add' ? 'added' : 'saved', { name: agent.display_name }));
  markEditing(null);
  loadTeam(agent.id);
}

/** @param {Agent} agent */
function edit(agent) {
  startEdit(agent);
  markEditing(agent.id);
}

// ---- session --------------------------------------------------------------------------------------

/** @param {Session} signedIn */
function start(signedIn) {
  session = signedIn;
  hideLogin();
  ui.name.textContent = sessionName();
  ui.logout.hidden = false;
  loadTeam();
}

/** @param {string} [message] why, shown on the sign-in form */
function logout(message = '') {
  forgetSession();
  session = null;
  clearTeam();
  for (const section of SECTIONS) section.clear();
  if (meta) startAdd('');
  ui.team.hidden = true;
  ui.nav.hidden = true;
  ui.refused.hidden = true;
  ui.logout.hidden = true;
  ui.name.textContent = '';
  showLogin(message);
}

function init() {
  initLogin(APP_BASE, start);
  initTeamTable(edit);
  const hooks = { base: APP_BASE, token: () => session?.token || '', handled: handleAuth, notice: showNotice };
  for (const section of SECTIONS) section.init(hooks);
  initAgentForm({
    create: (body) => createAgent(APP_BASE, session?.token || '', body),
    change: (agentId, body) => changeAgent(APP_BASE, session?.token || '', agentId, body),
    saved,
    handled: (err) => {
      if (err.status === 403) showNotice(t('notAdminAnymore'), 'error');
      return handleAuth(err);
    },
    editing: markEditing,
  });
  ui.logout.addEventListener('click', () => logout());
  ui.refusedLogout.addEventListener('click', () => logout());
  ui.refresh.addEventListener('click', () => loadTeam());
  ui.add.addEventListener('click', () => {
    startAdd();
    markEditing(null);
    byId('agent-id').focus();
  });
  const stored = storedSession();
  if (stored) start(stored);
  else showLogin();
}

init();
