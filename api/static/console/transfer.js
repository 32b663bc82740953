// @ts-check
/* Passing the conversation on the screen to a colleague or back to a team's line, with a private
   note (the `transfer` frame, docs/protocol.md): the customer never sees the note. */

import { byId, h } from '../shared/dom.js';
import { S, isMine, selectedConv } from './state.js';
import { t } from './strings.js';

const ui = {
  button: /** @type {HTMLButtonElement} */ (byId('transfer-button')),
  form: /** @type {HTMLFormElement} */ (byId('transfer-form')),
  target: /** @type {HTMLSelectElement} */ (byId('transfer-target')),
  note: /** @type {HTMLTextAreaElement} */ (byId('transfer-note')),
};

/** @typedef {{id: string, display_name: string, skills: string[], languages: string[], presence: string}} Member */

/**
 * @param {URL} base the app's URL
 * @param {(frame: Record<string, unknown>) => boolean} send
 */
export function initTransfer(base, send) {
  ui.note.placeholder = t('transferNote');
  ui.button.addEventListener('click', async () => {
    if (!ui.form.hidden) {
      ui.form.hidden = true;
      return;
    }
    await fillTargets(base);
    ui.form.hidden = false;
    ui.note.focus();
  });
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const conv = selectedConv();
    if (!conv) return;
    const [kind, value] = ui.target.value.split(':');
    send({ type: 'transfer', conversation_id: conv.id, note: ui.note.value.trim(),
      ...(kind === 'agent' ? { to_agent_id: value } : { skill: value }) });
    ui.form.hidden = true;
    ui.note.value = '';
  });
}

/** Whether the transfer control applies to the conversation on screen (only the assigned agent). */
export function renderTransfer() {
  const conv = selectedConv();
  const mine = Boolean(conv && isMine(conv.summary));
  ui.button.disabled = !mine;
  if (!mine) ui.form.hidden = true;
}

/** @param {URL} base */
async function fillTargets(base) {
  /** @type {Member[]} */
  let team = [];
  try {
    const resp = await fetch(new URL('api/agent/team', base), {
      headers: { Authorization: `Bearer ${S.session?.token || ''}` },
    });
    if (resp.ok) team = await resp.json();
  } catch { /* offline: the teams are still offered */ }
  const me = S.session?.agent_id;
  ui.target.replaceChildren(
    ...['orders', 'billing'].map((skill) => h('option', { value: `skill:${skill}` }, t('transferTeam', { skill }))),
    ...team.filter((m) => m.id !== me).map((m) => h('option', { value: `agent:${m.id}` },
      `${m.display_name} (${m.languages.join(', ')}; ${m.presence})`)),
  );
}
