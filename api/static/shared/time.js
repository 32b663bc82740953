// @ts-check
/* Times as the pages show them. */

/**
 * Timestamps without an offset are taken as UTC (the server's clock).
 * @param {string | null | undefined} iso
 * @returns {number} milliseconds, NaN if there is none
 */
export function parseTime(iso) {
  if (!iso) return NaN;
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
}

/**
 * "10:42" in `locale`; no timestamp means now.
 * @param {string | null | undefined} iso
 * @param {string} [locale]
 * @returns {string}
 */
export function formatTime(iso, locale) {
  const ms = iso ? parseTime(iso) : Date.now();
  if (Number.isNaN(ms)) return '';
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(ms);
}
