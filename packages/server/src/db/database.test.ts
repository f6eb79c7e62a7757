import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from './database.ts';
import { migrations } from './migrations/index.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

describe('The database', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());

  it('has applied every migration, and applying them again changes nothing', async () => {
    const applied = await t.db
      .selectFrom('schema_migrations' as never)
      .select(sql<string>`name`.as('name'))
      .execute();
    expect(applied.map((r) => r.name)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(t.db)).toEqual([]);
    expect(await Promise.all([migrateToLatest(t.db), migrateToLatest(t.db)])).toEqual([[], []]);
  });

  it('serialises concurrent transactions on one engine without interleaving them', async () => {
    await sql`create table counter_probe (n integer not null)`.execute(t.db);
    await sql`insert into counter_probe values (0)`.execute(t.db);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        t.db.transaction().execute(async (tx) => {
          const row = await sql<{ n: number }>`select n from counter_probe for update`.execute(tx);
          await sql`update counter_probe set n = ${(row.rows[0]?.n ?? 0) + 1}`.execute(tx);
        }),
      ),
    );
    const final = await sql<{ n: number }>`select n from counter_probe`.execute(t.db);
    expect(final.rows[0]?.n).toBe(20);
  });

  it('rolls a failed transaction back and stays usable', async () => {
    await expect(
      t.db.transaction().execute(async (tx) => {
        await sql`insert into counter_probe values (100)`.execute(tx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = await sql<{ n: number }>`select n from counter_probe where n = 100`.execute(t.db);
    expect(rows.rows).toEqual([]);
  });
});
