// @ts-check
/* The dashboard's four charts, from its figures: conversations per day (contained and handed off,
   stacked: the containment is the blue share of each column), handoffs by reason, the busiest hours
   of the day, and the ratings 1 to 5. */

import { h } from '../shared/dom.js';
import { barList, columnChart } from './bars.js';
import { number, percent, shortDay } from './format.js';
import { t } from './strings.js';

/** @typedef {import('./api.js').Dashboard} Dashboard */

const DAYS_SERIES = [{ name: 'contained', className: 'series-0' }, { name: 'handed_off', className: 'series-1' }];
const ONE_SERIES = [{ name: 'count', className: 'series-0' }];

/**
 * @param {HTMLElement} figure
 * @param {string} caption
 * @param {...(Node | null)} content
 */
function fill(figure, caption, ...content) {
  figure.replaceChildren(h('figcaption', {}, caption), ...content.filter((c) => c !== null));
}

/** @returns {HTMLElement} the legend of the days chart */
function daysLegend() {
  return h('p', { className: 'legend' },
    ...DAYS_SERIES.map((series, i) => h('span', { className: 'legend-item' },
      h('span', { className: `swatch ${series.className}` }), i === 0 ? t('contained') : t('handedOff'))));
}

/**
 * @param {HTMLElement} figure
 * @param {Dashboard} board
 */
export function renderDays(figure, board) {
  const columns = board.days.map((d) => ({
    key: d.day, label: shortDay(d.day), values: [d.contained, d.handed_off],
    title: `${d.day}: ${d.conversations} · ${t('contained')} ${d.contained} (${percent(d.containment_rate)}) · `
      + `${t('handedOff')} ${d.handed_off}`,
  }));
  const chart = columnChart({ columns, series: DAYS_SERIES, label: t('daysTitle'),
    labelEvery: Math.ceil(columns.length / 14) });
  fill(figure, t('daysTitle'), chart, daysLegend());
}

/**
 * @param {HTMLElement} figure
 * @param {Dashboard} board
 */
export function renderReasons(figure, board) {
  const rows = board.handoff_reasons.map((r) => ({
    key: r.reason, label: r.label, value: r.count,
    text: t('reasonValue', { count: r.count, rate: percent(r.rate) }),
    title: t('barTitle', { label: r.label, value: r.count }),
  }));
  const empty = rows.length ? null : h('p', { className: 'muted', 'data-testid': 'reasons-empty' }, t('reasonsEmpty'));
  fill(figure, t('reasonsTitle'), rows.length ? barList({ rows, label: t('reasonsTitle') }) : null, empty);
}

/**
 * @param {HTMLElement} figure
 * @param {Dashboard} board
 */
export function renderHours(figure, board) {
  const columns = board.busiest_hours.map((hour) => ({
    key: String(hour.hour), label: String(hour.hour).padStart(2, '0'), values: [hour.customer_messages],
    title: t('barTitle', { label: `${String(hour.hour).padStart(2, '0')}:00`, value: hour.customer_messages }),
  }));
  fill(figure, t('hoursTitle'), columnChart({ columns, series: ONE_SERIES, label: t('hoursTitle'), labelEvery: 3 }));
}

/**
 * @param {HTMLElement} figure
 * @param {Dashboard} board
 */
export function renderCsat(figure, board) {
  const columns = board.csat.distribution.map((score) => ({
    key: String(score.score), label: `${score.score}`, values: [score.count],
    title: t('barTitle', { label: `${score.score} / 5`, value: score.count }),
  }));
  const caption = `${t('csatTitle')} · ${t('csatValue', { average: number(board.csat.average, 2) })}`;
  fill(figure, caption, columnChart({ columns, series: ONE_SERIES, label: t('csatTitle'), height: 180 }));
}

/**
 * All four.
 * @param {Dashboard} board
 * @param {{days: HTMLElement, reasons: HTMLElement, hours: HTMLElement, csat: HTMLElement}} figures
 */
export function renderCharts(board, figures) {
  renderDays(figures.days, board);
  renderReasons(figures.reasons, board);
  renderHours(figures.hours, board);
  renderCsat(figures.csat, board);
}
