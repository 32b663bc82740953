// @ts-check
/* The one-tag embed of the support chat (docs/frontend.md):

     <script src="https://APP/static/widget/embed.js" data-locale="he" data-customer-token="..." async></script>

   A classic script, so the tag needs no type="module": it loads the widget's ES modules from beside
   itself (main.js, which resolves everything else, and the app's address, from its own URL). */
(() => {
  'use strict';

  const script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  if (!script || !script.src) return;
  const data = script.dataset;
  /** @type {import('./main.js').WidgetSettings} */
  const settings = {};
  if (data.locale) settings.locale = data.locale;
  if (data.customerToken) settings.customerToken = data.customerToken;
  if (data.open !== undefined) settings.open = data.open !== 'false';

  import(new URL('main.js', script.src).href)
    .then((widget) => widget.mount(settings))
    .catch((err) => console.error('support chat: could not load the widget', err));
})();
