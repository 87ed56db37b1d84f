/**
 * Progressive enhancement shared by every admin page (the pages work without it):
 * - a form or button with `data-confirm="..."` asks first (the server-side confirmation pages
 *   stay for browsers without the script);
 * - a checkbox with `data-select-all="<form id>"` ticks every `pick.*` checkbox of that form (it is
 *   rendered hidden, and shown here: without the script it could do nothing).
 */
export const BASE_JS = `
document.addEventListener('submit', function (event) {
  var form = event.target;
  var submitter = event.submitter;
  var message = (submitter && submitter.getAttribute('data-confirm')) || (form && form.getAttribute && form.getAttribute('data-confirm'));
  if (message && !window.confirm(message)) event.preventDefault();
});
var selectAll = document.querySelectorAll('[data-select-all][hidden]');
for (var s = 0; s < selectAll.length; s++) selectAll[s].hidden = false;
document.addEventListener('change', function (event) {
  var box = event.target;
  if (!box || !box.getAttribute || !box.hasAttribute('data-select-all')) return;
  var form = document.getElementById(box.getAttribute('data-select-all'));
  if (!form) return;
  var boxes = form.querySelectorAll('input[type="checkbox"][name^="pick."]');
  for (var i = 0; i < boxes.length; i++) boxes[i].checked = box.checked;
});
`;
