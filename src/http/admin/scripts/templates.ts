/**
 * The email template editor's live preview: while the subject or body is being typed, the form
 * is posted (debounced, with its _csrf field, as the plugin requires for every POST) to
 * /admin/templates/{name}/preview, which answers the rendered email as JSON; the preview's
 * sandboxed iframe then shows it through srcdoc. Without the script the form's Preview button
 * does the same with a page load.
 */
export const TEMPLATES_JS = `
(function () {
  var form = document.querySelector('form[data-live-preview]');
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) return;
  var url = form.getAttribute('data-live-preview');
  var frame = document.getElementById('template-preview-frame');
  var subject = document.getElementById('template-preview-subject');
  var status = document.getElementById('template-preview-status');
  if (!frame || !subject || !status) return;
  var timer = null;
  var latest = 0;
  function refresh() {
    var ticket = ++latest;
    var data = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { if (name !== 'intent' && typeof value === 'string') data.append(name, value); });
    status.textContent = 'Updating the preview…';
    fetch(url, { method: 'POST', body: data, credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (ticket !== latest) return;
        if (result.ok && typeof result.body.html === 'string') {
          frame.srcdoc = result.body.html;
          subject.textContent = result.body.subject;
          status.textContent = 'Preview updated from the text in the form (not saved yet).';
        } else if (result.body && result.body.errors) {
          status.textContent = 'Preview not updated: ' + result.body.errors.map(function (e) { return (e.target ? e.target + ': ' : '') + e.message; }).join(' ');
        } else {
          status.textContent = 'The preview could not be updated.';
        }
      })
      .catch(function () {
        if (ticket === latest) status.textContent = 'The preview could not be updated.';
      });
  }
  form.addEventListener('input', function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
`;
