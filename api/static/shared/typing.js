// @ts-check
/* Typing indicators, both pages: a throttled "I am typing" signal while the user types, and a line
   saying who else is typing that goes away by itself (the other side never says "stopped"). */

/**
 * @param {() => boolean} send says whether the signal went out (not while nobody is there to see it)
 * @param {number} [intervalMs] at most one signal this often (the server throttles too)
 * @returns {() => void} call on every keystroke
 */
export function typingNotifier(send, intervalMs = 2000) {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    if (send()) last = now; // a keystroke that sent nothing does not hold back the next one
  };
}

export class TypingLine {
  /** @param {HTMLElement} element */
  constructor(element) {
    this.element = element;
    this.element.hidden = true;
    /** @type {number | undefined} */
    this.timer = undefined;
  }

  /**
   * @param {string} text e.g. "Noa is typing…"
   * @param {number} [ms] how long it stays without a new signal; 0: until hide()
   */
  show(text, ms = 4000) {
    window.clearTimeout(this.timer);
    this.element.textContent = text;
    this.element.hidden = false;
    if (ms) this.timer = window.setTimeout(() => this.hide(), ms);
  }

  hide() {
    window.clearTimeout(this.timer);
    this.element.hidden = true;
    this.element.textContent = '';
  }
}
