// @ts-check
/* The supervisors' dashboard: signs in like the console, then asks the dashboard API for the figures
   (by default the server's range: the last 7 days). The API decides who may see them: a 403 shows
   "supervisors only" and no figures. Filters (filters.js), the figures' tables (figures.js), the
   charts (charts.js), and the CSV export, fetched with the token and saved as a file. */

import { noticeIn } from '../shared/notice.js';
import { byId, displayName } from '../shared/dom.js';
import { EMPTY_META, loadMeta } from '../shared/meta.js';
import { ApiError, loadCsv, loadDashboard } from './api.js';
import { renderCharts } from './charts.js';
import { renderFallbacks, renderFigures, renderLanguages } from './figures.js';
import { initFilters, setBusy, setLanguages, showApplied, showError } from './filters.js';
import { forgetSession, hideLogin, initLogin, showLogin, storedSession } from './session.js';
import { t } from './strings.js';

/** @typedef {import('./session.js').Session} Session */
/** @typedef {import('./api.js').Dashboard} Dashboard */
/** @typedef {import('./api.js').Filters} Filters */

const APP_BASE = new URL('./', window.location.href);
const NOTICE_MS = 6000;
const REVOKE_MS = 10_000; // the download has started long before

const ui = {
  name: byId('dashboard-name'),
  logout: byId('logout-button'),
  refused: byId('refused-view'),
  refusedText: byId('refused-text'),
  refusedLogout: byId('refused-logout'),
  view: byId('dashboard-view'),
  range: byId('dashboard-range'),
  figures: byId('figures'),
  languages: byId('languages'),
  fallbacks: byId('fallbacks'),
  charts: { days: byId('chart-days'), reasons: byId('chart-reasons'), hours: byId('chart-hours'),
    csat: byId('chart-csat') },
  notice: byId('notice'),
};

/** @type {Session | null} */
let session = null;
/** @type {Dashboard | null} what is on screen */
let shown = null;
/** A toast at the bottom of the page. */
const showNotice = noticeIn(ui.notice, NOTICE_MS);

/**
 * What an API refusal means for the page: signed out (401), not a supervisor (403), a range the
 * server refuses (422, said under the filters), or a failure (a notice).
 * @param {unknown} err
 * @param {string} failed the notice's string key for other statuses
 */
function handleError(err, failed) {
  if (!(err instanceof ApiError)) throw err;
  if (err.status === 401) logout(t('sessionExpired'));
  else if (err.status === 403) refuse();
  else if (err.status === 422) showError(err.message);
  else if (err.status === 0) showNotice(t('unreachable'), 'error');
  else showNotice(t(failed, { status: err.status, detail: err.message }), 'error');
}

/** Signed in, but the API refuses this account: say so, show no figures. */
function refuse() {
  shown = null;
  ui.view.hidden = true;
  ui.refusedText.textContent = t('supervisorsOnly', {
    name: session?.display_name || displayName(session?.agent_id) });
  ui.refused.hidden = false;
}

/** @param {Dashboard} board */
async function render(board) {
  const meta = await loadMeta(APP_BASE).catch(() => EMPTY_META);
  setLanguages(meta);
  showApplied(board);
  const language = meta.languages.find((l) => l.code === board.language)?.name || board.language
    || t('allLanguages');
  const count = board.totals.conversations;
  ui.range.textContent = t(count === 1 ? 'rangeOne' : 'range', { start: board.start, end: board.end, language, count });
  renderFigures(ui.figures, board);
  renderCharts(board, ui.charts);
  renderLanguages(ui.languages, board, meta);
  renderFallbacks(ui.fallbacks, board);
}

/** @param {Filters} [filters] none: the server's default range */
async function load(filters = {}) {
  if (!session) return;
  setBusy(true);
  ui.view.dataset.state = 'loading';
  try {
    const board = await loadDashboard(APP_BASE, session.token, filters);
    shown = board;
    showError('');
    await render(board);
    ui.refused.hidden = true;
    ui.view.hidden = false;
    ui.view.dataset.state = 'ready';
  } catch (err) {
    ui.view.dataset.state = 'failed';
    handleError(err, 'loadFailed');
  } finally {
    setBusy(false);
  }
}

/** Downloads the CSV of what is on screen (the link carries no token, so it is fetched with it). */
async function exportCsv() {
  if (!session || !shown) return;
  setBusy(true);
  try {
    const { blob, filename } = await loadCsv(APP_BASE, session.token,
      { from: shown.start, to: shown.end, language: shown.language || '' });
    const url = URL.createObjectURL(blob);
    const link = Object.assign(document.createElement('a'), { href: url, download: filename });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_MS);
    showNotice(t('exported', { file: filename }));
  } catch (err) {
    handleError(err, 'exportFailed');
  } finally {
    setBusy(false);
  }
}

/** @param {Session} signedIn */
function start(signedIn) {
  session = signedIn;
  hideLogin();
  ui.name.textContent = session.display_name || displayName(session.agent_id);
  ui.logout.hidden = false;
  load();
}

/** @param {string} [message] why, shown on the sign-in form */
function logout(message = '') {
  forgetSession();
  session = null;
  shown = null;
  ui.view.hidden = true;
  ui.refused.hidden = true;
  ui.logout.hidden = true;
  ui.name.textContent = '';
  showLogin(message);
}

function init() {
  initLogin(APP_BASE, start);
  initFilters({ apply: (filters) => load(filters), exportCsv });
  ui.logout.addEventListener('click', () => logout());
  ui.refusedLogout.addEventListener('click', () => logout());
  const stored = storedSession();
  if (stored) start(stored);
  else showLogin();
}

init();
