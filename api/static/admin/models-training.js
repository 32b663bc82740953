// @ts-check
/* Training in the Models section: "Train a new model" starts a job (POST /jobs), and the job on screen
   is followed live, GET /jobs/{id} every second while it runs: its stage, the Rasa component being
   trained, the time since it started and the tail of its log. A finished job (picked from the recent
   jobs) is shown once. The section reloads its lists when a job ends. */

import { h } from '../shared/dom.js';
import { ApiError } from './api.js';
import { jobBadge, stageLabel } from './models-jobs.js';
import { modelsErrorText } from './models-api.js';
import { duration, every, modelName } from './models-util.js';
import { formatWhen } from './review-item.js';
import { t } from './strings.js';

/** @typedef {import('./models-api.js').TrainingJob} TrainingJob */
/**
 * @typedef {object} TrainingHooks
 * @property {() => Promise<TrainingJob>} start
 * @property {(jobId: number) => Promise<TrainingJob>} get with the tail of its log
 * @property {(err: unknown) => boolean} handled true if the page dealt with it (signed out, not an admin)
 * @property {(job: TrainingJob | null) => void} changed a job started (null: refused) or ended: reload the lists
 */

const POLL_MS = 1000;

/**
 * @param {TrainingHooks} hooks
 * @returns {{controls: HTMLElement, panel: HTMLElement, show: (jobId: number) => void,
 *   following: () => number | null, clear: () => void}}
 */
export function trainingPanel(hooks) {
  const button = h('button', { type: 'button', className: 'btn btn-small btn-primary', 'data-testid': 'models-train' },
    t('modelsTrain'));
  const error = h('p', { className: 'form-error', role: 'alert', 'data-testid': 'models-train-error' });
  const log = h('pre', { className: 'models-log', 'data-testid': 'job-log', tabindex: 0 });
  const panel = h('div', { className: 'models-job', 'data-testid': 'models-job', hidden: true });
  /** @type {number | null} */
  let shown = null;
  let stop = () => {};

  /** @param {TrainingJob} job */
  function render(job) {
    const running = job.status === 'running';
    panel.dataset.jobId = String(job.id);
    panel.dataset.status = job.status;
    panel.dataset.stage = job.stage;
    // Follow the log's end unless the admin scrolled up to read.
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.textContent = job.log || t('modelsLogEmpty');
    if (atEnd) log.scrollTop = log.scrollHeight;
    panel.replaceChildren(
      h('p', { className: 'models-job-title' }, h('strong', {}, t('modelsJobName', { id: job.id })), ' ', jobBadge(job.status),
        ' ', h('span', { className: 'muted' }, t('modelsStartedBy', { admin: job.requested_by, at: formatWhen(job.started_at) }))),
      h('dl', { className: 'models-job-facts' },
        h('dt', {}, t('modelsStage')), h('dd', { 'data-testid': 'job-stage' }, stageLabel(job.stage)),
        h('dt', {}, t('modelsComponent')), h('dd', { 'data-testid': 'job-component' }, job.component || '–'),
        h('dt', {}, running ? t('modelsElapsed') : t('modelsTook')),
        h('dd', { 'data-testid': 'job-elapsed' }, duration(job.started_at, job.finished_at)),
        h('dt', {}, t('modelsAnnotations')),
        h('dd', {}, t('modelsAnnotationsUsed', { examples: job.examples, held_out: job.held_out }))),
      job.model_id != null ? h('p', { 'data-testid': 'job-result' }, t('modelsJobMade', { name: modelName(job.model_id) })) : '',
      job.error ? h('p', { className: 'form-error', role: 'alert', 'data-testid': 'job-error' }, job.error) : '',
      h('details', { className: 'models-log-box', open: true }, h('summary', {}, t('modelsLog')), log));
    panel.hidden = false;
    button.disabled = running;
  }

  /**
   * Shows a job, and follows it while it runs.
   * @param {number} jobId
   */
  function show(jobId) {
    stop();
    if (shown !== jobId) log.textContent = '';
    shown = jobId;
    let wasRunning = false;
    stop = every(POLL_MS, async () => {
      try {
        const job = await hooks.get(jobId);
        if (shown !== jobId) return false;
        error.textContent = '';
        render(job);
        if (job.status === 'running') wasRunning = true;
        else if (wasRunning) hooks.changed(job);
        return job.status === 'running';
      } catch (err) {
        if (shown !== jobId || hooks.handled(err)) return false;
        error.textContent = t('modelsJobUnavailable', { id: jobId, detail: modelsErrorText(err) });
        return !(err instanceof ApiError && err.status === 404);  // gone: stop asking
      }
    });
  }

  button.addEventListener('click', async () => {
    button.disabled = true;
    error.textContent = '';
    try {
      const job = await hooks.start();
      show(job.id);
      hooks.changed(job);
    } catch (err) {
      button.disabled = false;
      if (hooks.handled(err)) return;
      error.textContent = modelsErrorText(err);
      if (err instanceof ApiError && err.status === 409) hooks.changed(null);  // show the job that runs
    }
  });

  const controls = h('div', { className: 'models-train' },
    button, h('span', { className: 'muted' }, t('modelsTrainWhat')), error);
  return {
    controls,
    panel,
    show,
    following: () => shown,
    clear: () => {
      stop();
      shown = null;
      button.disabled = false;
      error.textContent = '';
      panel.hidden = true;
      panel.replaceChildren();
      log.textContent = '';
    },
  };
}
