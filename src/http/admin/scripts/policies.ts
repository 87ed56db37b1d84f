/**
 * The policy editor: a problem's "Line L, column C" link puts the cursor there in the text area
 * and scrolls the line into sight (without the script the link leads to the text area).
 */
export const POLICIES_JS = `
document.addEventListener('click', function (event) {
  var link = event.target && event.target.closest ? event.target.closest('a[data-line][data-column]') : null;
  if (!link) return;
  var area = document.getElementById('policy-xml');
  if (!area || !area.setSelectionRange) return;
  event.preventDefault();
  var line = Number(link.getAttribute('data-line'));
  var column = Number(link.getAttribute('data-column'));
  var text = area.value;
  var start = 0;
  for (var l = 1; l < line; l++) {
    var next = text.indexOf('\\n', start);
    if (next < 0) break;
    start = next + 1;
  }
  var end = text.indexOf('\\n', start);
  if (end < 0) end = text.length;
  var at = Math.min(start + Math.max(column - 1, 0), end);
  area.focus();
  area.setSelectionRange(at, at);
  var height = parseFloat(window.getComputedStyle(area).lineHeight) || 20;
  area.scrollTop = Math.max(0, (line - 4) * height);
  area.scrollIntoView({ block: 'nearest' });
});
`;
