/**
 * The import form's file upload: the file picker (rendered hidden: without the script it could not
 * send anything, the form being urlencoded) is shown, and the chosen file is read into the
 * definition's text area, which the form posts. Paste and URL work without the script.
 */
export const API_IMPORT_JS = `
(function () {
  var box = document.querySelector('[data-definition-file][hidden]');
  if (!box) return;
  var input = box.querySelector('input[type="file"]');
  var text = document.getElementById('import-value');
  var status = document.getElementById('import-file-status');
  if (!input || !text || !status) return;
  box.hidden = false;
  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    if (!file) return;
    status.textContent = 'Reading ' + file.name + '…';
    file.text().then(function (content) {
      text.value = content;
      status.textContent = file.name + ' is in the text field below (' + content.length + ' characters).';
    }, function () {
      status.textContent = file.name + ' could not be read.';
    });
  });
})();
`;
