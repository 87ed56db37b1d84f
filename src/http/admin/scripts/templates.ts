/**
 * The email template editor's live preview: while the subject or body is being typed, the form is
 * submitted (debounced) with its Preview button, which posts it (with its _csrf field, as the
 * plugin requires for every POST) to /admin/templates/{name}/preview-frame in the preview's
 * sandboxed iframe (`formtarget`). No fetch, no srcdoc: the frame's document comes from our own
 * endpoint with its own policy. Without the script the Preview button does the same on a click.
 */
export const TEMPLATES_JS = `
(function () {
  var form = document.querySelector('form[data-live-preview]');
  if (!form) return;
  var button = form.querySelector('button[formtarget]');
  var frame = document.getElementById('template-preview-frame');
  var status = document.getElementById('template-preview-status');
  if (!button || !frame || !status) return;
  var timer = null;
  var pending = false;
  frame.addEventListener('load', function () {
    if (!pending) return;
    pending = false;
    status.textContent = 'Preview updated from the text in the form (not saved yet).';
  });
  function refresh() {
    pending = true;
    status.textContent = 'Updating the preview…';
    if (form.requestSubmit) form.requestSubmit(button);
    else button.click();
  }
  form.addEventListener('input', function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
`;
