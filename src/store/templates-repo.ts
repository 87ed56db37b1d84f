/** Email templates as edited by administrators; no row means the built-in default. */
import type { Selectable } from 'kysely';
import type { Executor } from './database.js';
import type { EmailTemplatesTable } from './schema.js';

export type TemplateRow = Selectable<EmailTemplatesTable>;

export async function findTemplate(ex: Executor, name: string): Promise<TemplateRow | undefined> {
  return ex.selectFrom('email_templates').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function listTemplates(ex: Executor): Promise<TemplateRow[]> {
  return ex.selectFrom('email_templates').selectAll().orderBy('name').execute();
}

export async function saveTemplate(ex: Executor, row: TemplateRow): Promise<void> {
  await ex
    .insertInto('email_templates')
    .values(row)
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        subject: row.subject,
        body: row.body,
        title: row.title,
        description: row.description,
        etag: row.etag,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

export async function deleteTemplate(ex: Executor, name: string): Promise<void> {
  await ex.deleteFrom('email_templates').where('name', '=', name).execute();
}
