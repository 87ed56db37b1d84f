/**
 * Developers for the tests that need someone who can sign in: made through the users service
 * (no email sent), active, with a password nobody else knows. One place for what such a user
 * looks like, instead of a copy in every file.
 */
import { randomBytes } from 'node:crypto';
import type { TestServer } from './server.js';

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

/** A password the portal accepts, different on every call. */
export function randomPassword(): string {
  return `Violet tundra mosaic ${randomBytes(4).toString('hex')}`;
}

/** An active developer `id` (email `<id>@example.com`, Ada Lovelace, a random password unless given). */
export async function activeDeveloper(
  server: TestServer,
  id: string,
  details: { email?: string; firstName?: string; lastName?: string; password?: string; note?: string } = {},
): Promise<TestUser> {
  const email = details.email ?? `${id}@example.com`;
  const password = details.password ?? randomPassword();
  const { firstName = 'Ada', lastName = 'Lovelace', note } = details;
  await server.app.services.users.createOrUpdate(id, { email, firstName, lastName, password, ...(note === undefined ? {} : { note }) }, {});
  return { id, email, password };
}
