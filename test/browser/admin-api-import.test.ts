/**
 * "Import from OpenAPI" in real Chromium, under the admin UI's strict Content-Security-Policy: the
 * public Petstore uploaded as a file (the same-origin script reads it into the text field),
 * previewed and applied; a re-import pasted, its preview naming what is created, changed and
 * removed, applied; a broken document shown with where it is wrong.
 *
 * With TOLLGATE_SCREENSHOTS=1: docs/screenshots/admin-api-import.png (the form),
 * admin-api-import-preview.png (a re-import's preview), admin-api-import-error.png.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, useChromium } from '../helpers/browser.js';
import { signInAdminInChromium, startAdminServer } from '../helpers/admin.js';
import { expectNoPolicyViolation, heading, messages, pathOf } from '../helpers/page.js';
import { INVALID_PETSTORE, PETSTORE_YAML, editedPetstore } from '../helpers/petstore-edits.js';

describe.skipIf(SKIP_BROWSER_TESTS)('admin UI: import from OpenAPI in Chromium', () => {
  const chrome = useChromium();
  let server: TestServer;
  const petstoreFile = join(mkdtempSync(join(tmpdir(), 'tollgate-import-')), 'petstore.yaml');

  beforeAll(async () => {
    writeFileSync(petstoreFile, PETSTORE_YAML);
    server = await startAdminServer('sqlite', { env: { TOLLGATE_ORGANIZATION_NAME: 'Contoso' } });
  });
  afterAll(async () => server?.close());

  it('uploads a file, previews and applies a new API, then re-imports pasted text through its preview', async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await page.goto(`${server.url}/admin/apis`);
    await clickAndWait(page, page.getByRole('link', { name: 'Import from OpenAPI' }));
    expect(await heading(page)).toBe('Import from OpenAPI');

    await page.getByLabel('Path').fill('petstore');
    await page.getByLabel('Upload a file').setInputFiles(petstoreFile);
    await expect.poll(() => page.getByLabel('Paste the text').inputValue()).toBe(PETSTORE_YAML);
    expect(await messages(page)).toContain('petstore.yaml is in the text field below');
    await screenshot(page, 'admin-api-import');

    let response = await clickAndWait(page, page.getByRole('button', { name: 'Preview import' }));
    expect(response?.status()).toBe(200);
    expect(await heading(page)).toBe('Preview: import petstore');
    expect(await page.locator('#import-counts').innerText()).toBe('20 operations to create, 0 to change, 0 to remove, 0 unchanged.');
    await expect.poll(() => page.getByRole('table', { name: 'To create' }).locator('tbody tr').count()).toBe(20);

    response = await clickAndWait(page, page.getByRole('button', { name: 'Create API' }));
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe('/admin/apis/petstore?notice=api-imported');
    expect(await messages(page)).toContain('The API was created from the definition.');
    const operations = page.getByRole('table', { name: 'Operations of Swagger Petstore' });
    expect(await operations.locator('tbody tr').count()).toBe(20);
    expect(await operations.innerText()).toContain('/pet/findByStatus?status={status}');

    // Re-import: the edited definition pasted.
    await clickAndWait(page, page.getByRole('link', { name: 'Re-import' }));
    expect(await heading(page)).toBe('Re-import Swagger Petstore');
    await page.getByLabel('Paste the text').fill(editedPetstore('https://pets.contoso.example/v2'));
    response = await clickAndWait(page, page.getByRole('button', { name: 'Preview import' }));
    expect(response?.status()).toBe(200);
    expect(await page.locator('#import-counts').innerText()).toBe('1 operation to create, 1 to change, 1 to remove, 18 unchanged.');
    expect(await page.getByRole('table', { name: 'To create' }).innerText()).toContain('listpets');
    expect(await page.getByRole('table', { name: 'To change' }).innerText()).toContain('getinventory');
    expect(await page.getByRole('table', { name: 'To remove' }).innerText()).toContain('deleteuser');
    expect(await page.getByRole('table', { name: 'API properties' }).innerText()).toContain('https://pets.contoso.example/v2');
    await screenshot(page, 'admin-api-import-preview');

    response = await clickAndWait(page, page.getByRole('button', { name: 'Apply re-import' }));
    expect(response?.status()).toBe(200);
    expect(await messages(page)).toContain('The definition was imported');
    const text = await operations.innerText();
    expect(text).toContain('List the pets');
    expect(text).toContain('Stock by status');
    expect(text).not.toContain('Delete user');
    expect(await operations.locator('tbody tr').count()).toBe(20);
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('shows what is wrong with a document, pointing at where, and keeps the text', async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await page.goto(`${server.url}/admin/apis/new/import`);
    await page.getByLabel('Path').fill('broken');
    await page.getByLabel('Paste the text').fill(INVALID_PETSTORE);
    const response = await clickAndWait(page, page.getByRole('button', { name: 'Preview import' }));
    expect(response?.status()).toBe(400);
    const problems = page.locator('#import-problems');
    expect(await problems.innerText()).toContain('/paths/~1store~1inventory/get/responses/200');
    expect(await page.getByLabel('Paste the text').inputValue()).toBe(INVALID_PETSTORE);
    await screenshot(page, 'admin-api-import-error');
    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
