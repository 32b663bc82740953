// @ts-check
/* Small pieces the Models section's modules share: durations, asking again and again while something
   runs, a model's name and who made it. */

import { parseTime } from '../shared/time.js';
import { t } from './strings.js';

/** @typedef {import('./models-api.js').ModelVersion} ModelVersion */

/** @param {number} n @returns {string} */
const pad = (n) => String(n).padStart(2, '0');

/**
 * "0:42", "12:05", "1:02:03": from `from` to `to`, or to now without one.
 * @param {string | null} from
 * @param {string | null} [to]
 * @returns {string} '' without a start
 */
export function duration(from, to = null) {
  const ms = (to ? parseTime(to) : Date.now()) - parseTime(from);
  if (Number.isNaN(ms)) return '';
  const s = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return hours ? `${hours}:${pad(minutes)}:${pad(s % 60)}` : `${minutes}:${pad(s % 60)}`;
}

/**
 * Runs `step` now, then again `ms` after each run that resolved to true, until stop() is called.
 * A step decides for itself what a failure means (keep asking, or stop); one that throws stops.
 * @param {number} ms
 * @param {() => Promise<boolean>} step
 * @returns {() => void} stop
 */
export function every(ms, step) {
  let stopped = false;
  let timer = 0;
  const run = async () => {
    let again = false;
    try {
      again = await step();
    } finally {
      if (again && !stopped) timer = window.setTimeout(run, ms);
    }
  };
  run();
  return () => { stopped = true; clearTimeout(timer); };
}

/**
 * @param {number} modelId
 * @returns {string} "Model #2"
 */
export const modelName = (modelId) => t('modelsModelName', { id: modelId });

/**
 * @param {string} path the model file on the server
 * @returns {string} its file name
 */
export const fileName = (path) => path.split(/[\\/]/).pop() || path;

/**
 * @param {ModelVersion} model
 * @returns {string} "trained by dana" or, for the model the deployment started with, that
 */
export const trainedBy = (model) => (model.trained_by ? t('modelsTrainedBy', { admin: model.trained_by })
  : t('modelsStartModel'));
