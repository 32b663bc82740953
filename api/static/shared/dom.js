// @ts-check
/* DOM helpers shared by the pages. Text always goes in as text nodes or textContent, never as markup. */

/** @typedef {string | number | boolean | null | undefined | ((event: any) => void)} PropValue */
/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * Builds an element. String children become text nodes, never markup. `className` sets the class,
 * `on<event>` adds a listener, `true` sets an empty attribute, `null`/`undefined`/`false` skips one.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, PropValue>} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'className') el.className = String(value);
    else if (typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/**
 * An element by id that must exist (the pages' static markup).
 * @template {HTMLElement} [E=HTMLElement]
 * @param {string} id
 * @param {Document | ShadowRoot} [root]
 * @returns {E}
 */
export function byId(id, root = document) {
  const el = root.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return /** @type {E} */ (el);
}

/**
 * "alice" -> "Alice"; no id -> `fallback`.
 * @param {string | null | undefined} agentId
 * @param {string} [fallback]
 * @returns {string}
 */
export function displayName(agentId, fallback = 'Agent') {
  if (!agentId) return fallback;
  return agentId.charAt(0).toUpperCase() + agentId.slice(1);
}

/**
 * Grows a textarea with its text, up to 140px.
 * @param {HTMLTextAreaElement} textarea
 */
export function autoGrow(textarea) {
  textarea.style.height = 'auto';
  textarea.style.height = `${Math.min(textarea.scrollHeight + 2, 140)}px`;
}

/**
 * Wires a composer: submit and Enter (without Shift, not while composing) call `submit`; typing grows it.
 * @param {HTMLFormElement} form
 * @param {HTMLTextAreaElement} textarea
 * @param {() => void} submit
 */
export function bindComposer(form, textarea, submit) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  textarea.addEventListener('input', () => autoGrow(textarea));
}
