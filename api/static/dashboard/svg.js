// @ts-check
/* SVG elements built in script (the CSP allows no inline markup or style): attributes as given,
   text as text nodes, never markup. */

const NS = 'http://www.w3.org/2000/svg';

/** @typedef {string | number | null | undefined} AttrValue */

/**
 * An SVG element; `null`/`undefined` attributes are left out, string children become text.
 * @param {string} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {SVGElement}
 */
export function s(tag, attrs = {}, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(NS, tag));
  for (const [key, value] of Object.entries(attrs)) {
    if (value != null) el.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child != null && child !== false) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/**
 * A number with at most one decimal, rounded to keep attributes short.
 * @param {number} value
 * @returns {number}
 */
export function px(value) {
  return Math.round(value * 10) / 10;
}
