// @ts-check
/* The toast at the bottom of the console, admin and dashboard pages: one at a time, hidden after a
   while or when clicked. The text goes in as text. */

/**
 * @param {HTMLElement} element the page's notice element (role="status")
 * @param {number} ms how long a notice stays
 * @returns {(text: string, kind?: 'info' | 'error') => void} shows a notice
 */
export function noticeIn(element, ms) {
  let timer = 0;
  element.addEventListener('click', () => { element.hidden = true; });
  return (text, kind = 'info') => {
    element.textContent = text;
    element.classList.toggle('error', kind === 'error');
    element.hidden = false;
    clearTimeout(timer);
    timer = window.setTimeout(() => { element.hidden = true; }, ms);
  };
}
