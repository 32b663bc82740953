// @ts-check
/* The agent form's refusals: each at its field when the API names one (a 409 at the id, a 422's
   complaints by `loc`), and a summary above the buttons. Text only. */

import { ApiError, violationsByField } from './api.js';
import { t } from './strings.js';

const FIELDS = ['id', 'display_name', 'password', 'role', 'skills', 'languages', 'max_chats'];

/**
 * Shows a refusal of the form's call.
 * @param {HTMLFormElement} form its `.field-error[data-field]` slots and named controls
 * @param {HTMLElement} summary the message above the buttons
 * @param {unknown} err
 * @param {string} agentId the id that was sent
 */
export function showError(form, summary, err, agentId) {
  if (!(err instanceof ApiError)) {
    summary.textContent = err instanceof Error ? err.message : String(err);
  } else if (err.status === 0) {
    summary.textContent = t('unreachable');
  } else if (err.status === 409) {
    summary.textContent = t('notAddedTaken');
    fieldError(form, 'id', t('idTaken', { id: agentId }));
  } else if (err.status === 422) {
    const byField = violationsByField(err.detail, FIELDS);
    for (const [field, messages] of byField) if (field) fieldError(form, field, messages.join(' '));
    summary.textContent = [t('fixFields'), ...(byField.get('') || [])].join(' ');
  } else if (err.status === 404) {
    summary.textContent = t('noSuchAgent', { id: agentId });
  } else {
    summary.textContent = t('refused', { status: err.status, detail: err.message });
  }
}

/**
 * @param {HTMLFormElement} form
 * @param {string} field
 * @param {string} text
 */
function fieldError(form, field, text) {
  const slot = form.querySelector(`.field-error[data-field="${field}"]`);
  if (slot) slot.textContent = text;
  form.querySelector(`[name="${field}"]`)?.setAttribute('aria-invalid', 'true');
}

/**
 * @param {HTMLFormElement} form
 * @param {HTMLElement} summary
 */
export function clearErrors(form, summary) {
  summary.textContent = '';
  for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
}
