/**
 * Try it without a reload: portal.js posts the Try it form with fetch (same origin, the form's
 * own token in it) and swaps the page's Try it section for the one in the answer, which the server
 * drew exactly as it would for a browser without JavaScript. Event delegation: the new form works
 * the same. Nothing inline, nothing evaluated: CSP script-src 'self' and connect-src 'self'.
 */
export const TRY_IT_JS = `(function () {
  if (!window.fetch || !window.DOMParser || !window.FormData) return;
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-try-it')) return;
    var section = form.closest('#try-it');
    if (!section) return;
    event.preventDefault();
    var status = form.querySelector('.try-status');
    var button = form.querySelector('button[type="submit"]');
    var say = function (text) { if (status) status.textContent = text; };
    if (button) button.disabled = true;
    say('Sending…');
    fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, 'text/html').getElementById('try-it');
        if (!fresh) throw new Error('no Try it section in the answer');
        var placed = document.importNode(fresh, true);
        section.replaceWith(placed);
        var focus = placed.querySelector('#try-it-answer') || placed.querySelector('[role="alert"]');
        if (focus) {
          if (!focus.hasAttribute('tabindex')) focus.setAttribute('tabindex', '-1');
          focus.focus();
        }
      })
      .catch(function () {
        if (button) button.disabled = false;
        say('The call could not be completed here. Reload the page and try again.');
      });
  });
})();
`;
