/**
 * What the Chromium tests read from a page: its messages, heading and address, whether its
 * Content-Security-Policy held; and an email shown as a page. One copy here, so that every browser
 * suite reads a page the same way (and a change of the markup is fixed in one place).
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { ReceivedEmail } from './smtp.js';

/**
 * The few browser globals the functions run inside the page use (the project's TypeScript lib has
 * no DOM; these functions are serialized and run in Chromium, where `globalThis` is the window).
 */
export interface InPage {
  document: {
    activeElement: { id: string } | null;
    documentElement: { scrollWidth: number; clientWidth: number };
    querySelector(selector: string): { scrollWidth: number; clientWidth: number } | null;
  };
  getComputedStyle(element: unknown): { backgroundColor: string };
}

/** The text of the page's alerts and status messages, whitespace collapsed, joined with " | ". */
export async function messages(page: Page): Promise<string> {
  const texts = await page.locator('[role="alert"], [role="status"]').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).join(' | ');
}

/** The text of the page's <h1>. */
export async function heading(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).innerText()).trim();
}

/** The path (and query) of the page the browser shows. */
export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** No Content-Security-Policy violation (nor any script error) on the pages of a test. */
export function expectNoPolicyViolation(errors: readonly string[]): void {
  expect(errors.filter((e) => /content security policy|refused to|pageerror/i.test(e))).toEqual([]);
}

/**
 * Shows an email's HTML in the page, from about:blank, as a webmail would: set into a portal page,
 * the email would fall under the portal's Content-Security-Policy and lose its inline styles.
 */
export async function showEmail(page: Page, mail: ReceivedEmail): Promise<void> {
  if (page.url() !== 'about:blank') await page.goto('about:blank');
  await page.setContent(mail.html, { waitUntil: 'load' });
}
