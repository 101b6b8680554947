/* global document, fetch, location, CustomEvent, EventSource */
// Live updates: the server says "change" over SSE; the page fetches its own
// main section again (server-rendered) and swaps it in. No framework, no CDN.
(function () {
  const main = document.querySelector('main');
  if (!main || main.dataset.live === 'off') return;
  let pending = false;
  let again = false;
  async function refresh() {
    if (pending) {
      again = true;
      return;
    }
    pending = true;
    try {
      const answer = await fetch(location.href, { headers: { 'x-fragment': '1' } });
      if (answer.ok) {
        main.innerHTML = await answer.text();
        document.dispatchEvent(new CustomEvent('sandbox:refreshed'));
      }
    } finally {
      pending = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }
  const source = new EventSource('/live');
  source.addEventListener('change', refresh);
})();
