/**
 * The portal's one stylesheet, served at /assets/portal.css, and its one script, /assets/portal.js
 * (the Copy buttons of My subscriptions, and Try it's in-place answers: the pages work without it). Hand-written, no framework: a system
 * font stack, a header bar, centered cards for forms, visible focus, and colors that pass WCAG AA
 * (text #1f2937 on #ffffff is 14.7:1, muted #4b5563 is 7.6:1, error #b42318 is 6.6:1, the button's
 * white on #1d4ed8 is 6.7:1, links #1d4ed8 on white 6.7:1).
 */
import { createHash } from 'node:crypto';
import { SITE_CSS } from '../web/site-css.js';
import { REFERENCE_CSS } from './reference-css.js';
import { TRY_IT_JS } from './try-it-js.js';

export const STYLESHEET_PATH = '/assets/portal.css';
export const SCRIPT_PATH = '/assets/portal.js';

/** The portal's stylesheet is the site's (the admin UI adds its own layout to the same one), and the API reference's. */
export const PORTAL_CSS = SITE_CSS + REFERENCE_CSS;

export const PORTAL_CSS_ETAG = `"${createHash('sha256').update(PORTAL_CSS).digest('base64url').slice(0, 22)}"`;

/**
 * The Copy buttons of My subscriptions. They are in the page with `hidden`: without JavaScript
 * the keys are still there to reveal and select. With it, each button copies the text of the
 * element named by its data-copy (a key, even while its <details> is closed), and says so in the
 * button and in the page's polite live region. No inline code, no eval: CSP `script-src 'self'`.
 */
export const PORTAL_JS = `'use strict';
(function () {
  var status = document.getElementById('copy-status');
  function announce(button, label, text) {
    var visible = button.querySelector('.copy-label') || button;
    visible.textContent = label;
    if (status) status.textContent = text;
    window.setTimeout(function () { visible.textContent = 'Copy'; }, 2000);
  }
  function fallbackCopy(target) {
    var details = target.closest('details');
    if (details) details.open = true;
    var range = document.createRange();
    range.selectNodeContents(target);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var copied = false;
    try { copied = document.execCommand('copy'); } catch (e) { copied = false; }
    return copied;
  }
  var buttons = document.querySelectorAll('button[data-copy]');
  Array.prototype.forEach.call(buttons, function (button) {
    var target = document.getElementById(button.getAttribute('data-copy'));
    if (!target) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var text = target.textContent.trim();
      var done = function () { announce(button, 'Copied', 'The key was copied to the clipboard.'); };
      var manual = function () {
        if (fallbackCopy(target)) done();
        else announce(button, 'Press Ctrl+C', 'The key is selected: press Ctrl+C (or Cmd+C) to copy it.');
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, manual);
      else manual();
    });
  });
})();
${TRY_IT_JS}`;

export const PORTAL_JS_ETAG = `"${createHash('sha256').update(PORTAL_JS).digest('base64url').slice(0, 22)}"`;
