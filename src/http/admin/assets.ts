/**
 * The admin UI's stylesheet (/admin/assets/admin.css: the site's, plus the admin layout and each
 * area's rules) and its one script (/admin/assets/admin.js: confirmation dialogs, "select all",
 * and each area's enhancements). Every page works without the script.
 */
import { createHash } from 'node:crypto';
import { SITE_CSS } from '../web/site-css.js';
import { BASE_CSS } from './styles/base.js';
import { AREA_CSS } from './styles/areas.js';
import { BASE_JS } from './scripts/base.js';
import { AREA_JS } from './scripts/areas.js';

export const ADMIN_STYLESHEET_PATH = '/admin/assets/admin.css';
export const ADMIN_SCRIPT_PATH = '/admin/assets/admin.js';

export const ADMIN_CSS = SITE_CSS + BASE_CSS + AREA_CSS.join('\n');
export const ADMIN_JS = `'use strict';\n${BASE_JS}\n${AREA_JS.join('\n')}`;

const etag = (text: string) => `"${createHash('sha256').update(text).digest('base64url').slice(0, 22)}"`;
export const ADMIN_CSS_ETAG = etag(ADMIN_CSS);
export const ADMIN_JS_ETAG = etag(ADMIN_JS);
