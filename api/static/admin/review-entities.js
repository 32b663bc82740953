// @ts-check
/* A review message's entities: its redacted text with each entity marked, and the editor that
   corrects them. The spans are offsets in the text; the model's own reading comes first, the admin
   selects a stretch of the text, picks an entity and marks it, removes a wrong one, and saves (the
   server checks the spans: within the text, no overlap, an entity the assistant knows). */

import { h } from '../shared/dom.js';
import { reviewErrorText } from './review-api.js';
import { t } from './strings.js';

/** @typedef {import('./review-api.js').ReviewItem} ReviewItem */
/** @typedef {import('./review-api.js').EntitySpan} EntitySpan */
/**
 * @typedef {object} EntityHooks
 * @property {() => Promise<string[]>} names the assistant's entities, once loaded (none if unreachable)
 * @property {(id: number, spans: EntitySpan[]) => Promise<ReviewItem>} save
 * @property {(item: ReviewItem) => void} saved the item as the server now has it
 * @property {(err: unknown) => boolean} handled true if the page dealt with it (signed out, not an admin)
 */

/**
 * The text as text nodes, each span in a <mark> naming its entity.
 * @param {string} text
 * @param {EntitySpan[]} spans
 * @returns {(Node | string)[]}
 */
export function markedText(text, spans) {
  /** @type {(Node | string)[]} */
  const parts = [];
  let cursor = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    parts.push(text.slice(cursor, span.start), h('mark', {
      className: 'review-entity', 'data-testid': 'review-entity', 'data-entity': span.entity, title: span.entity,
    }, text.slice(span.start, span.end)));
    cursor = span.end;
  }
  parts.push(text.slice(cursor));
  return parts;
}

/**
 * The offsets of the page's selection in `element`'s text, or null when it is not inside it.
 * @param {HTMLElement} element
 * @returns {{start: number, end: number} | null}
 */
function selectedRange(element) {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
  const range = selection.getRangeAt(0);
  if (!element.contains(range.startContainer) || !element.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.selectNodeContents(element);
  before.setEnd(range.startContainer, range.startOffset);
  let start = before.toString().length;
  let end = start + range.toString().length;
  // A double-click selects the word and the space after it: the span is the word.
  const text = element.textContent || '';
  while (start < end && /\s/.test(text[start])) start += 1;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  return end > start ? { start, end } : null;
}

/**
 * The message's text with its entities, and the editor under it.
 * @param {ReviewItem} item
 * @param {EntityHooks} hooks
 * @returns {{text: HTMLElement, editor: HTMLDetailsElement}}
 */
export function entityEditor(item, hooks) {
  /** @type {EntitySpan[]} */
  let spans = [...(item.entities || [])];
  const text = h('p', { className: 'review-text', dir: 'auto', lang: item.language, 'data-testid': 'review-text' });
  const chips = h('ul', { className: 'review-entity-list', 'data-testid': 'review-entity-list' });
  const choice = h('select', { 'data-testid': 'review-entity-choice', 'aria-label': t('reviewEntityChoice') });
  const error = h('p', { className: 'form-error', role: 'alert', 'data-testid': 'review-entity-error' });
  const summary = h('summary', { 'data-testid': 'review-entities-summary' });
  const save = h('button', {
    type: 'button', className: 'btn btn-small btn-primary', 'data-testid': 'review-entity-save', disabled: true,
    onclick: () => { void store(); },
  }, t('reviewEntitySave'));
  const mark = h('button', {
    type: 'button', className: 'btn btn-small', 'data-testid': 'review-entity-mark', onclick: markSelection,
  }, t('reviewEntityMark'));
  const editor = h('details', { className: 'review-entities', 'data-testid': 'review-entities' },
    summary,
    chips,
    h('p', { className: 'muted' }, t('reviewEntityHelp')),
    h('div', { className: 'review-entity-actions' }, choice, mark, save),
    error);

  function show() {
    text.replaceChildren(...markedText(item.text, spans));
    summary.textContent = t('reviewEntities', { count: spans.length });
    chips.replaceChildren(...spans.map((span, index) => h('li', {
      'data-testid': 'review-entity-chip', 'data-entity': span.entity,
    },
      h('bdi', {}, item.text.slice(span.start, span.end)), ` → ${span.entity} `,
      h('button', {
        type: 'button', className: 'btn btn-small', 'data-testid': 'review-entity-remove',
        'aria-label': t('reviewEntityRemove', { entity: span.entity }),
        onclick: () => { spans = spans.filter((_, i) => i !== index); changed(); },
      }, '×'))));
  }

  function changed() {
    save.disabled = false;
    error.textContent = '';
    show();
  }

  /** The entity menu: the assistant's entities, filled when the editor opens (once they have loaded). */
  async function offer() {
    const names = await hooks.names();
    if (choice.options.length === names.length) return;
    const chosen = choice.value;
    choice.replaceChildren(...names.map((name) => h('option', { value: name }, name)));
    if (names.includes(chosen)) choice.value = chosen;
  }

  function markSelection() {
    const range = selectedRange(text);
    if (!range) {
      error.textContent = t('reviewEntitySelectFirst');
      return;
    }
    if (!choice.value) {
      error.textContent = t('reviewEntityNoNames');
      return;
    }
    // A new span replaces those it overlaps: re-marking a stretch is how a wrong one is corrected.
    spans = [...spans.filter((s) => s.end <= range.start || s.start >= range.end),
      { ...range, entity: choice.value }].sort((a, b) => a.start - b.start);
    window.getSelection()?.removeAllRanges();
    changed();
  }

  async function store() {
    save.disabled = true;
    error.textContent = '';
    try {
      const updated = await hooks.save(item.id, spans);
      item = updated;
      spans = [...updated.entities];
      show();
      hooks.saved(updated);
    } catch (err) {
      save.disabled = false;
      if (hooks.handled(err)) return;
      error.textContent = reviewErrorText(err);
    }
  }

  editor.addEventListener('toggle', () => { if (editor.open) void offer(); });
  show();
  return { text, editor };
}
