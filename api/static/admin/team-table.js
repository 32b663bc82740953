// @ts-check
/* The team table: one row per agent (id, name, role, skills, languages, max chats, presence) and
   an Edit button. Labels come from the server's lists; a code without one shows as itself. */

import { byId, h } from '../shared/dom.js';
import { t } from './strings.js';

/** @typedef {import('./api.js').Agent} Agent */
/** @typedef {import('./api.js').AdminMeta} AdminMeta */

const PRESENCE_BADGE = /** @type {Record<string, string>} */ ({
  online: 'badge badge-success', away: 'badge badge-warning', offline: 'badge',
});

const ui = {
  rows: /** @type {HTMLTableSectionElement} */ (byId('team-rows')),
  count: byId('team-count'),
};

/** @type {(agent: Agent) => void} */
let onEdit = () => {};

/** @param {(agent: Agent) => void} edit called with the agent whose Edit button was pressed */
export function initTeamTable(edit) {
  onEdit = edit;
}

/**
 * Fills the table.
 * @param {Agent[]} agents
 * @param {AdminMeta} meta
 * @param {{editingId?: string | null, changedId?: string | null}} [marks] the row in the form; the
 *   row just added or saved
 */
export function renderTeam(agents, meta, { editingId = null, changedId = null } = {}) {
  ui.count.textContent = t('teamCount', { count: agents.length });
  ui.rows.replaceChildren(...agents.map((agent) => row(agent, meta, agent.id === editingId, agent.id === changedId)));
}

/** Empties the table (signed out, or not an admin). */
export function clearTeam() {
  ui.count.textContent = '';
  ui.rows.replaceChildren();
}

/**
 * Marks the row being edited.
 * @param {string | null} agentId
 */
export function markEditing(agentId) {
  for (const tr of ui.rows.querySelectorAll('tr')) tr.classList.toggle('editing', tr.dataset.agentId === agentId);
}

/**
 * @param {Agent} agent
 * @param {AdminMeta} meta
 * @param {boolean} editing
 * @param {boolean} changed
 * @returns {HTMLTableRowElement}
 */
function row(agent, meta, editing, changed) {
  const classes = [editing ? 'editing' : '', changed ? 'changed' : ''].filter(Boolean).join(' ');
  return h('tr', { 'data-testid': 'agent-row', 'data-agent-id': agent.id, className: classes || null },
    h('td', { 'data-col': 'id' }, agent.id),
    h('td', { 'data-col': 'name', dir: 'auto' }, agent.display_name),
    h('td', { 'data-col': 'role', 'data-value': agent.role }, meta.roles[agent.role] || agent.role),
    h('td', { 'data-col': 'skills', 'data-value': agent.skills.join(' ') },
      chips(agent.skills.map((code) => ({ code, text: meta.skills[code] || code })))),
    h('td', { 'data-col': 'languages', 'data-value': agent.languages.join(' ') },
      chips(agent.languages.map((code) => ({ code, text: languageName(meta, code), lang: code })))),
    h('td', { 'data-col': 'max_chats', className: 'num' }, agent.max_chats),
    h('td', { 'data-col': 'presence', 'data-value': agent.presence },
      h('span', { className: PRESENCE_BADGE[agent.presence] || 'badge' },
        agent.presence in PRESENCE_BADGE ? t(`presence_${agent.presence}`) : agent.presence)),
    h('td', {},
      h('button', {
        type: 'button', className: 'btn btn-small', 'data-testid': 'edit-agent',
        'aria-label': t('editLabel', { name: agent.display_name }), onclick: () => onEdit(agent),
      }, t('edit'))));
}

/**
 * @param {AdminMeta} meta
 * @param {string} code
 * @returns {string} the language's own name, else its code
 */
export function languageName(meta, code) {
  return meta.languages.find((language) => language.code === code)?.name || code;
}

/**
 * Labels side by side (wrapping), or "none".
 * @param {{code: string, text: string, lang?: string}[]} items
 * @returns {HTMLElement[]}
 */
function chips(items) {
  if (!items.length) return [h('span', { className: 'none' }, t('none'))];
  return [h('span', { className: 'chips' }, items.map(({ code, text, lang }) => h('span', {
    className: 'badge badge-accent', title: code, lang, dir: lang ? 'auto' : null,
  }, text)))];
}
