// @ts-check
/* The recent training jobs, newest first (GET /jobs): status, stage, who started it and when, how
   long it took, and what came of it (the model made, or the error). "Log" shows a job in the training
   panel (models-training.js), followed live if it runs. */

import { h } from '../shared/dom.js';
import { duration, modelName } from './models-util.js';
import { formatWhen, labelOr } from './review-item.js';
import { t } from './strings.js';

/** @typedef {import('./models-api.js').TrainingJob} TrainingJob */

const STATUS_BADGE = /** @type {Record<string, string>} */ ({
  running: 'badge badge-accent', succeeded: 'badge badge-success', failed: 'badge badge-danger',
});

/**
 * @param {string} status running, succeeded, failed
 * @returns {HTMLSpanElement}
 */
export function jobBadge(status) {
  return h('span', { className: STATUS_BADGE[status] || 'badge', 'data-testid': 'job-status' },
    labelOr(`job_${status}`, status));
}

/**
 * @param {string} stage the server's code (handoff/training/enums.py, Stage)
 * @returns {string} its label, or the code for one the page does not know
 */
export const stageLabel = (stage) => labelOr(`stage_${stage}`, stage);

/**
 * The jobs' table, or a line saying there is none yet.
 * @param {TrainingJob[]} jobs newest first
 * @param {(jobId: number) => void} show puts a job in the training panel
 * @returns {HTMLElement}
 */
export function jobsTable(jobs, show) {
  if (!jobs.length) return h('p', { className: 'muted models-empty', 'data-testid': 'jobs-empty' }, t('modelsNoJobs'));
  const head = [t('modelsJobsJob'), t('modelsJobsStatus'), t('modelsStage'), t('modelsJobsBy'), t('modelsJobsStarted'),
    t('modelsTook'), t('modelsJobsResult')];
  return h('div', { className: 'table-scroll' },
    h('table', { className: 'models-table', 'data-testid': 'jobs-table' },
      h('thead', {}, h('tr', {}, head.map((label) => h('th', { scope: 'col' }, label)),
        h('th', { scope: 'col' }, h('span', { className: 'visually-hidden' }, t('modelsLog'))))),
      h('tbody', {}, jobs.map((job) => jobRow(job, show)))));
}

/**
 * @param {TrainingJob} job
 * @param {(jobId: number) => void} show
 * @returns {HTMLTableRowElement}
 */
function jobRow(job, show) {
  const result = job.error
    ? h('span', { className: 'models-error', 'data-testid': 'job-row-error' }, job.error)
    : job.model_id != null ? modelName(job.model_id) : '';
  return h('tr', { 'data-testid': 'job-row', 'data-job-id': job.id, 'data-status': job.status },
    h('td', {}, t('modelsJobName', { id: job.id })),
    h('td', {}, jobBadge(job.status)),
    h('td', {}, stageLabel(job.stage), job.component && job.status === 'running' ? ` · ${job.component}` : ''),
    h('td', {}, job.requested_by),
    h('td', {}, h('time', { datetime: job.started_at }, formatWhen(job.started_at))),
    h('td', { className: 'num' }, job.status === 'running' ? '' : duration(job.started_at, job.finished_at)),
    h('td', { 'data-testid': 'job-row-result' }, result),
    h('td', {}, h('button', {
      type: 'button', className: 'btn btn-small', 'data-testid': 'job-row-log',
      'aria-label': t('modelsShowLog', { id: job.id }), onclick: () => show(job.id),
    }, t('modelsLog'))));
}
