// @ts-check
/* "Export training data" in the review section: the server writes every annotated message as Rasa
   NLU data, a file per language, and the page says which files, with how many examples each. The
   paths are the server's (files on its disk, for whoever trains the next model), shown as text. */

import { h } from '../shared/dom.js';
import { ApiError } from './api.js';
import { exportTraining, reviewErrorText } from './review-api.js';
import { t } from './strings.js';

/** @typedef {import('./review-api.js').ExportedFile} ExportedFile */
/**
 * @typedef {object} ExportHooks
 * @property {URL} base the app's address
 * @property {() => string} token the signed-in admin's bearer token
 * @property {(err: ApiError) => boolean} handled true if the page dealt with it (signed out, not an admin)
 */

/**
 * @param {number} count
 * @returns {string} "1 example", "3 examples"
 */
const examplesText = (count) => (count === 1 ? t('reviewExamplesOne') : t('reviewExamples', { count }));

/**
 * The button and the panel that reports what it wrote.
 * @param {ExportHooks} hooks
 * @returns {{button: HTMLButtonElement, panel: HTMLElement, clear: () => void}}
 */
export function exportControls(hooks) {
  const button = h('button', {
    type: 'button', className: 'btn btn-small btn-primary', 'data-testid': 'review-export-button',
  }, t('reviewExport'));
  const panel = h('div', { className: 'review-export', 'data-testid': 'review-export', role: 'status', hidden: true });

  /** @param {HTMLElement[]} content @param {boolean} failed */
  function show(content, failed) {
    panel.replaceChildren(...content);
    panel.classList.toggle('error', failed);
    panel.hidden = false;
  }

  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = t('reviewExporting');
    try {
      const files = await exportTraining(hooks.base, hooks.token());
      const examples = files.reduce((sum, f) => sum + f.examples, 0);
      const summary = !files.length ? t('reviewExportedNone')
        : t(files.length === 1 ? 'reviewExportedOne' : 'reviewExported',
          { files: files.length, examples: examplesText(examples) });
      show([
        h('p', { 'data-testid': 'review-export-summary', 'data-files': files.length, 'data-examples': examples }, summary),
        h('ul', {}, files.map(exportedFile)),
      ], false);
    } catch (err) {
      if (err instanceof ApiError && hooks.handled(err)) return;
      show([h('p', { 'data-testid': 'review-export-summary' }, t('reviewExportFailed', { detail: reviewErrorText(err) }))],
        true);
    } finally {
      button.disabled = false;
      button.textContent = t('reviewExport');
    }
  });

  return { button, panel, clear: () => { panel.hidden = true; panel.replaceChildren(); } };
}

/**
 * @param {ExportedFile} file
 * @returns {HTMLLIElement}
 */
function exportedFile(file) {
  return h('li', { 'data-testid': 'review-export-file', 'data-language': file.language, 'data-examples': file.examples },
    h('span', { className: 'badge badge-accent' }, file.language), ' ',
    h('code', {}, file.path), ' ',
    h('span', { className: 'muted' }, examplesText(file.examples)));
}
