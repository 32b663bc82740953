// @ts-check
/* The agent form: adds an agent (id, display name, password, role, skills, languages, max chats)
   or edits one (the same but the id; a blank password keeps it). The choices are the server's
   lists; the rules are the server's too: the form sends what was typed and shows the API's
   refusals (409 id taken, 422 per field) where they belong. */

import { byId, h } from '../shared/dom.js';
import { ApiError } from './api.js';
import { clearErrors, showError } from './form-errors.js';
import { t } from './strings.js';
import { languageName } from './team-table.js';

/** @typedef {import('./api.js').Agent} Agent */
/** @typedef {import('./api.js').AdminMeta} AdminMeta */
/** @typedef {import('./api.js').AgentChanges} AgentChanges */
/**
 * @typedef {object} FormHandlers
 * @property {(body: AgentChanges) => Promise<Agent>} create
 * @property {(agentId: string, body: AgentChanges) => Promise<Agent>} change
 * @property {(agent: Agent, mode: 'add' | 'edit') => void} saved
 * @property {(err: ApiError) => boolean} handled true if the page dealt with it (signed out, refused)
 * @property {(agentId: string | null) => void} editing the agent now in the form, null: adding
 */

const ui = {
  form: /** @type {HTMLFormElement} */ (byId('agent-form')),
  title: byId('form-title'),
  id: /** @type {HTMLInputElement} */ (byId('agent-id')),
  idHint: byId('agent-id-hint'),
  name: /** @type {HTMLInputElement} */ (byId('agent-display-name')),
  passwordLabel: byId('password-label'),
  password: /** @type {HTMLInputElement} */ (byId('agent-password')),
  role: /** @type {HTMLSelectElement} */ (byId('agent-role')),
  roleHint: byId('role-hint'),
  skills: byId('agent-skills'),
  languages: byId('agent-languages'),
  maxChats: /** @type {HTMLInputElement} */ (byId('agent-max-chats')),
  error: byId('agent-form-error'),
  save: /** @type {HTMLButtonElement} */ (byId('agent-save')),
  cancel: /** @type {HTMLButtonElement} */ (byId('agent-cancel')),
};

/** @type {Agent | null} the agent being edited; null: adding one */
let current = null;
let selfId = '';

/**
 * Wires the form.
 * @param {FormHandlers} handlers
 */
export function initAgentForm(handlers) {
  ui.cancel.addEventListener('click', () => {
    startAdd();
    handlers.editing(null);
  });
  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(ui.form, ui.error);
    const editing = current;
    const body = editing ? changes(editing) : { id: ui.id.value.trim(), ...values() };
    ui.save.disabled = true;
    ui.save.textContent = t('saving');
    try {
      const agent = editing ? await handlers.change(editing.id, body) : await handlers.create(body);
      startAdd();
      handlers.saved(agent, editing ? 'edit' : 'add');
    } catch (err) {
      const sentId = body.id || editing?.id || '';
      if (!(err instanceof ApiError) || !handlers.handled(err)) showError(ui.form, ui.error, err, sentId);
    } finally {
      ui.save.disabled = false;
      ui.save.textContent = t(current ? 'editSubmit' : 'addSubmit');
    }
  });
}

/**
 * Builds the role menu and the skill and language boxes from the server's lists.
 * @param {AdminMeta} meta
 */
export function setChoices(meta) {
  ui.role.replaceChildren(...Object.entries(meta.roles).map(([code, label]) => h('option', { value: code }, label)));
  fillChoices(ui.skills, 'skills', Object.entries(meta.skills).map(([code, label]) => ({ code, label })));
  fillChoices(ui.languages, 'languages', meta.languages.map((language) => ({
    code: language.code, label: languageName(meta, language.code), lang: language.code,
  })));
}

/**
 * @param {HTMLElement} fieldset
 * @param {string} name
 * @param {{code: string, label: string, lang?: string}[]} items
 */
function fillChoices(fieldset, name, items) {
  for (const old of fieldset.querySelectorAll('label')) old.remove();
  const error = fieldset.querySelector('.field-error');
  for (const { code, label, lang } of items) {
    const box = h('input', { type: 'checkbox', name, value: code, 'data-testid': `${name}-${code}` });
    fieldset.insertBefore(h('label', {}, box, h('span', { lang, dir: lang ? 'auto' : null }, label)), error);
  }
}

/**
 * The form for a new agent.
 * @param {string} [signedInId] the signed-in admin (who may not change their own role)
 */
export function startAdd(signedInId = selfId) {
  selfId = signedInId;
  current = null;
  ui.form.dataset.mode = 'add';
  ui.form.reset();
  clearErrors(ui.form, ui.error);
  ui.title.textContent = t('addTitle');
  ui.save.textContent = t('addSubmit');
  ui.id.readOnly = false;
  ui.id.required = true;
  ui.idHint.hidden = false;
  ui.passwordLabel.textContent = t('password');
  ui.password.required = true;
  ui.role.disabled = false;
  ui.roleHint.hidden = true;
  ui.role.value = 'agent' in rolesOffered() ? 'agent' : ui.role.options[0]?.value || '';
  ui.maxChats.value = '3';
  ui.cancel.hidden = true;
}

/**
 * The form for an existing agent.
 * @param {Agent} agent
 */
export function startEdit(agent) {
  current = agent;
  ui.form.dataset.mode = 'edit';
  ui.form.reset();
  clearErrors(ui.form, ui.error);
  ui.title.textContent = t('editTitle', { name: agent.display_name });
  ui.save.textContent = t('editSubmit');
  ui.id.value = agent.id;
  ui.id.readOnly = true;
  ui.id.required = false;
  ui.idHint.hidden = true;
  ui.name.value = agent.display_name;
  ui.passwordLabel.textContent = t('newPassword');
  ui.password.required = false;
  ui.role.value = agent.role;
  // An admin demoting themselves would lock themselves out of this page.
  ui.role.disabled = agent.id === selfId;
  ui.roleHint.hidden = agent.id !== selfId;
  setChecked(ui.skills, agent.skills);
  setChecked(ui.languages, agent.languages);
  ui.maxChats.value = String(agent.max_chats);
  ui.cancel.hidden = false;
  ui.name.focus();
}

/** @returns {string | null} the id of the agent being edited, null while adding */
export function editingId() {
  return current?.id ?? null;
}

/** @returns {Record<string, true>} */
function rolesOffered() {
  return Object.fromEntries([...ui.role.options].map((option) => [option.value, true]));
}

/**
 * @param {HTMLElement} fieldset
 * @param {string[]} codes
 */
function setChecked(fieldset, codes) {
  for (const box of fieldset.querySelectorAll('input[type=checkbox]')) {
    const input = /** @type {HTMLInputElement} */ (box);
    input.checked = codes.includes(input.value);
  }
}

/**
 * @param {HTMLElement} fieldset
 * @returns {string[]} the checked codes, in the server's order
 */
function checked(fieldset) {
  const boxes = /** @type {NodeListOf<HTMLInputElement>} */ (fieldset.querySelectorAll('input[type=checkbox]:checked'));
  return [...boxes].map((box) => box.value);
}

/** @returns {AgentChanges} what the form says, but the id */
function values() {
  const raw = ui.maxChats.value.trim();
  /** @type {AgentChanges} */
  const body = {
    display_name: ui.name.value.trim(),
    role: ui.role.value,
    skills: checked(ui.skills),
    languages: checked(ui.languages),
    // Not a number: sent as typed, and the server says what is wrong with it.
    max_chats: raw !== '' && Number.isInteger(Number(raw)) ? Number(raw) : raw,
  };
  if (ui.password.value) body.password = ui.password.value;
  return body;
}

/**
 * Only what changed (PATCH), so a save never rewrites a field someone else changed meanwhile.
 * @param {Agent} agent
 * @returns {AgentChanges}
 */
function changes(agent) {
  const all = values();
  /** @type {Record<string, unknown>} */
  const body = {};
  for (const [key, value] of Object.entries(all)) {
    const before = /** @type {Record<string, unknown>} */ (agent)[key];
    if (key === 'role' && ui.role.disabled) continue;
    if (JSON.stringify(value) !== JSON.stringify(before)) body[key] = value;
  }
  return body;
}
