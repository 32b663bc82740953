// @ts-check
/* How the dashboard writes its numbers: shares as percentages, seconds as durations, a dash for
   nothing measured. */

import { t } from './strings.js';

/**
 * @param {number | null | undefined} rate a share from 0 to 1
 * @returns {string} e.g. "40%", "12.5%"
 */
export function percent(rate) {
  if (rate == null) return t('none');
  const value = Math.round(rate * 1000) / 10;
  return `${value}%`;
}

/**
 * @param {number | null | undefined} seconds
 * @returns {string} e.g. "0.4 s", "45 s", "3 min", "2 h 5 min", "1 d 3 h"
 */
export function duration(seconds) {
  if (seconds == null) return t('none');
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/**
 * @param {number | null | undefined} value
 * @param {number} [digits] decimals kept
 * @returns {string}
 */
export function number(value, digits = 0) {
  if (value == null) return t('none');
  return value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/**
 * "2026-11-03" -> "11-03" (a day's axis label).
 * @param {string} isoDay
 * @returns {string}
 */
export function shortDay(isoDay) {
  return isoDay.slice(5);
}
