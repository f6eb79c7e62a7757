import type { Kysely } from 'kysely';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

/** Tables of sealed items waiting for their one use: a ready row holds data until `expires_at`. */
type WaitingTable = 'downloads' | 'counter_cases';

/** The columns those tables share, which is all the sweep reads. */
type Waiting = Record<WaitingTable, { id: string; status: string; sealed: string | null; expires_at: Date }>;
// Kysely cannot type one query over a union of tables; the shared columns are named here instead.
const waiting = (q: Kysely<Database>) => q as unknown as Kysely<Waiting>;

/**
 * Expires every ready row of `table` whose time has passed, each in its own transaction that locks
 * the row and checks again, so a use committing at the same moment wins; at most 1000 per call.
 * Safe to run from several processes. Returns how many rows `expire` was run for.
 */
export async function expireWaiting(
  db: Db,
  table: WaitingTable,
  at: Date,
  expire: (tx: Kysely<Database>, id: string) => Promise<void>,
): Promise<number> {
  const due = await waiting(db)
    .selectFrom(table)
    .select('id')
    .where('sealed', 'is not', null)
    .where('expires_at', '<=', at)
    .limit(1000)
    .execute();
  let expired = 0;
  for (const d of due) {
    const done = await db.transaction().execute(async (tx) => {
      const row = await waiting(tx)
        .selectFrom(table)
        .select(['status', 'expires_at'])
        .where('id', '=', d.id)
        .forUpdate()
        .executeTakeFirst();
      if (row?.status !== 'ready' || new Date(row.expires_at) > at) return false;
      await expire(tx, d.id);
      return true;
    });
    if (done) expired += 1;
  }
  return expired;
}
