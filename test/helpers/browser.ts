/**
 * Real Chromium for the browser tests (playwright-core driving Debian's /usr/bin/chromium; never
 * `npx playwright install`, which downloads a browser).
 *
 * - `useChromium()` registers the hooks of a suite: one browser for the file, a fresh context
 *   (cookies, storage) and page for every test, closed after it with any extra context it opened.
 * - `screenshot(page, name)` writes docs/screenshots/<name>.png (full page) only when
 *   TOLLGATE_SCREENSHOTS=1, so that ordinary test runs leave the committed PNGs alone.
 *
 * Without /usr/bin/chromium: when CI is set this module throws as it loads, so the suite fails
 * loudly (CI installs the chromium package); on a developer machine the suites that use
 * `describe.skipIf(SKIP_BROWSER_TESTS)` are skipped, with a message saying why.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Locator, type Page, type Response } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** The size of the window the pages are looked at in (and screenshots taken with). */
export const VIEWPORT = { width: 1100, height: 800 } as const;

const chromiumFound = existsSync(CHROMIUM_PATH);
if (!chromiumFound && process.env.CI) {
  throw new Error(`The browser tests need Chromium at ${CHROMIUM_PATH} (apt-get install chromium); CI must provide it.`);
}

/** True when the browser suites cannot run here (no Chromium, and not CI). */
export const SKIP_BROWSER_TESTS = !chromiumFound;
if (SKIP_BROWSER_TESTS) {
  console.warn(`Skipping the browser tests: no Chromium at ${CHROMIUM_PATH} (install the Debian "chromium" package to run them).`);
}

export const SCREENSHOTS_ENABLED = process.env.TOLLGATE_SCREENSHOTS === '1';
export const SCREENSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A context like a fresh browser profile: English, UTC, the standard viewport. */
export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' });
}

export interface ChromiumHandle {
  readonly browser: Browser;
  /** This test's context (fresh for every test). */
  readonly context: BrowserContext;
  /** This test's page. */
  readonly page: Page;
  /** Console errors of this test's pages (a Content-Security-Policy violation shows up here). */
  readonly consoleErrors: string[];
  /** Another browser profile for this test (a second person, or the same one on another device); closed after the test. */
  newPage(): Promise<Page>;
}

/** Registers the hooks that give each test of the current suite a fresh context and page. */
export function useChromium(): ChromiumHandle {
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  let page: Page | undefined;
  const consoleErrors: string[] = [];

  async function open(): Promise<Page> {
    if (!browser) throw new Error('Chromium is not running');
    const context = await newContext(browser);
    contexts.push(context);
    const created = await context.newPage();
    created.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    created.on('pageerror', (error: Error) => consoleErrors.push(`pageerror: ${error.message}`));
    return created;
  }

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    consoleErrors.length = 0;
    page = await open();
  });
  afterEach(async () => {
    const closing = contexts;
    contexts = [];
    page = undefined;
    await Promise.all(closing.map((c) => c.close()));
  });

  return {
    get browser() {
      if (!browser) throw new Error('Chromium is not running');
      return browser;
    },
    get context() {
      const context = contexts[0];
      if (!context) throw new Error('no browser context outside a test');
      return context;
    },
    get page() {
      if (!page) throw new Error('no page outside a test');
      return page;
    },
    consoleErrors,
    newPage: open,
  };
}

/** Writes docs/screenshots/<name>.png of the whole page, when TOLLGATE_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS_ENABLED) return;
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot names are lowercase words with dashes: ${name}`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

/**
 * Clicks something that leads to another page (a submit button, a link) and waits until that page
 * has loaded; returns its response (the last one after redirects).
 */
export async function clickAndWait(page: Page, target: Locator): Promise<Response | null> {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), target.click()]);
  return response;
}

/** Types into a field the way a person does: click it, then one key after the other. */
export async function typeInto(field: Locator, text: string): Promise<void> {
  await field.click();
  await field.pressSequentially(text);
}

/**
 * Signs in on the sign-in form the page shows (the portal's or the admin UI's) as a person does:
 * the email field cleared and typed into, the password typed, Sign in pressed. Returns the status
 * of the page that follows (200 signed in, 401 a wrong password, 403 refused).
 */
export async function typeSignIn(page: Page, email: string, password: string): Promise<number | undefined> {
  const emailField = page.getByLabel('Email address', { exact: true });
  await emailField.clear();
  await typeInto(emailField, email);
  await typeInto(page.getByLabel('Password', { exact: true }), password);
  const response = await clickAndWait(page, page.getByRole('button', { name: 'Sign in', exact: true }));
  return response?.status();
}
