/** Single-use tokens behind email links. Only their SHA-256 is stored. */
import type { Selectable } from 'kysely';
import type { Executor } from './database.js';
import { canLockRows, toCount } from './database.js';
import type { TokenPurpose, TokensTable } from './schema.js';

export type TokenRow = Selectable<TokensTable>;

export async function insertToken(ex: Executor, row: TokenRow): Promise<void> {
  await ex.insertInto('tokens').values(row).execute();
}

/** The token with this hash, locked for the consuming transaction on PostgreSQL. */
export async function findTokenByHash(ex: Executor, tokenHash: string, lock = false): Promise<TokenRow | undefined> {
  return ex
    .selectFrom('tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .$if(lock && canLockRows(ex), (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function markTokenUsed(ex: Executor, id: string, at: string): Promise<boolean> {
  const r = await ex
    .updateTable('tokens')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return toCount(r.numUpdatedRows) === 1;
}

/** Retires every live token of this purpose for the user (a newer one replaces them, or a reset used one). */
export async function retireTokens(ex: Executor, userId: string, purpose: TokenPurpose, at: string): Promise<void> {
  await ex
    .updateTable('tokens')
    .set({ retired_at: at })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('retired_at', 'is', null)
    .execute();
}
