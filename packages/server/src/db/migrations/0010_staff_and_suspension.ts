import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Staff are keyed by the citizen ref (keyed hash of the national ID), so an organisation can add a
  // person before their first sign-in and the table never holds a national ID.
  await db.schema
    .createTable('staff_members')
    .addColumn('organisation_id', sql`text collate "C"`, (c) => c.notNull())
    .addColumn('citizen_ref', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    // What colleagues see in the staff list: a name the admin typed and a masked national ID.
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('national_id_hint', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('staff_members_pk', ['organisation_id', 'citizen_ref', 'role'])
    .execute();
  await sql`create index staff_members_ref_idx on staff_members (citizen_ref)`.execute(db);

  // A suspended organisation keeps its catalogue entries; what it may do is refused until reinstated.
  await db.schema.alterTable('organisations').addColumn('suspended_at', 'timestamptz').execute();
  await db.schema.alterTable('organisations').addColumn('suspension_reason', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organisations').dropColumn('suspension_reason').execute();
  await db.schema.alterTable('organisations').dropColumn('suspended_at').execute();
  await db.schema.dropTable('staff_members').ifExists().execute();
}
