import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Which person gives which datasets of a multi-person service; null for a one-person service.
  await db.schema.alterTable('services').addColumn('parties', 'jsonb').execute();

  // One row per party of a multi-person application, the initiator included. No national ID: the
  // named person is kept as the keyed citizen reference, the contact the initiator typed is sealed,
  // and each party's collected data waits sealed until every party has consented.
  await db.schema
    .createTable('consent_parties')
    .addColumn('id', sql`text collate "C"`, (c) => c.primaryKey())
    .addColumn('consent_id', sql`text collate "C"`, (c) =>
      c.notNull().references('consents.id').onDelete('cascade'),
    )
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('initiator', 'boolean', (c) => c.notNull())
    .addColumn('citizen_ref', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('datasets', 'jsonb', (c) => c.notNull())
    // waiting, consented, declined, expired or ended (the application ended while it waited).
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('contact_sealed', 'text')
    // What the invitee is shown of who asks (the initiator's name and masked ID), sealed.
    .addColumn('inviter_sealed', 'text')
    .addColumn('collected_sealed', 'text')
    // The names of the party's datasets and agencies as the invitee saw them (no personal data).
    .addColumn('summary', 'jsonb')
    .addColumn('citizen_id', 'uuid')
    .addColumn('receipt', 'text')
    .addColumn('receipt_sha256', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('invited_at', 'timestamptz')
    .addColumn('status_changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index consent_parties_consent_idx on consent_parties (consent_id)`.execute(db);
  await sql`create index consent_parties_due_idx on consent_parties (expires_at) where status = 'waiting'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('consent_parties').ifExists().execute();
  await db.schema.alterTable('services').dropColumn('parties').execute();
}
