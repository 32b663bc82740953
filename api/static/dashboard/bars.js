// @ts-check
/* Two bar charts as SVG, scaled by their viewBox: columns (optionally stacked, e.g. contained and
   handed off per day) and a list of horizontal bars with their labels (e.g. handoffs by reason).
   Each bar is a <rect data-testid="bar"> with data-key, data-series and data-value; a <title> on
   each column or row is its tooltip. Colours are classes (dashboard.css). */

import { px, s } from './svg.js';

const WIDTH = 640;
const TOP = 12;
const LEFT = 40; // the y axis' labels
const BOTTOM = 24; // the x axis' labels
const ROW = 26;
const LABEL_WIDTH = 230;
const VALUE_WIDTH = 90;

/**
 * @typedef {{key: string, label: string, values: number[], title: string}} Column
 * @typedef {{name: string, className: string}} Series
 * @typedef {{key: string, label: string, value: number, text: string, title: string}} Row
 */

/**
 * The top of the scale: 1, 2, 4, 5 or 10 times a power of ten, at or above `max`.
 * @param {number} max
 * @returns {number}
 */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 4, 5, 10]) if (m * power >= max) return m * power;
  return 10 * power;
}

/**
 * @param {number[]} values
 * @returns {number}
 */
const total = (values) => values.reduce((a, b) => a + b, 0);

/**
 * Gridlines and labels at 0, half and the top of the scale (half only when it is a whole number:
 * every chart here counts).
 * @param {number} top
 * @param {(value: number) => number} y
 * @returns {SVGElement}
 */
function yAxis(top, y) {
  const axis = s('g', { class: 'axis' });
  for (const value of [0, top / 2, top].filter(Number.isInteger)) {
    axis.append(s('line', { class: 'grid', x1: LEFT, x2: WIDTH, y1: px(y(value)), y2: px(y(value)) }),
      s('text', { class: 'tick-label', x: LEFT - 6, y: px(y(value) + 4), 'text-anchor': 'end' },
        value.toLocaleString('en', { maximumFractionDigits: 1 })));
  }
  return axis;
}

/**
 * Vertical columns, each a stack of its series' values from the bottom.
 * @param {{columns: Column[], series: Series[], label: string, labelEvery?: number, height?: number}} spec
 * @returns {SVGElement}
 */
export function columnChart({ columns, series, label, labelEvery = 1, height = 220 }) {
  const plotHeight = height - TOP - BOTTOM;
  const top = niceMax(Math.max(0, ...columns.map((c) => total(c.values))));
  const y = (/** @type {number} */ value) => TOP + plotHeight - (value / top) * plotHeight;
  const step = (WIDTH - LEFT - 4) / Math.max(columns.length, 1);
  const width = Math.max(1, step * 0.7);
  const chart = s('svg', { class: 'chart-svg', viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': label },
    yAxis(top, y));
  columns.forEach((column, i) => {
    const x = LEFT + 4 + i * step + (step - width) / 2;
    const group = s('g', { class: 'column', 'data-key': column.key }, s('title', {}, column.title));
    let base = 0;
    column.values.forEach((value, k) => {
      group.append(s('rect', {
        class: `bar ${series[k].className}`, 'data-testid': 'bar', 'data-key': column.key,
        'data-series': series[k].name, 'data-value': value,
        x: px(x), y: px(y(base + value)), width: px(width), height: px(y(base) - y(base + value)),
      }));
      base += value;
    });
    if (i % labelEvery === 0) {
      group.append(s('text', { class: 'tick-label', x: px(x + width / 2), y: height - 8, 'text-anchor': 'middle' },
        column.label));
    }
    chart.append(group);
  });
  return chart;
}

/**
 * Horizontal bars, one row each: the label, the bar, the value's text.
 * @param {{rows: Row[], label: string, series?: string}} spec
 * @returns {SVGElement}
 */
export function barList({ rows, label, series = 'count' }) {
  const height = rows.length * ROW + 8;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const room = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const chart = s('svg', { class: 'chart-svg', viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': label });
  rows.forEach((row, i) => {
    const y = 4 + i * ROW;
    const width = (row.value / max) * room;
    chart.append(s('g', { class: 'row', 'data-key': row.key },
      s('title', {}, row.title),
      s('text', { class: 'row-label', x: LABEL_WIDTH - 8, y: y + 16, 'text-anchor': 'end' }, row.label),
      s('rect', { class: 'bar series-0', 'data-testid': 'bar', 'data-key': row.key, 'data-series': series,
        'data-value': row.value, x: LABEL_WIDTH, y: y + 3, width: px(width), height: ROW - 8 }),
      s('text', { class: 'row-value', x: px(LABEL_WIDTH + width + 6), y: y + 16 }, row.text)));
  });
  return chart;
}
