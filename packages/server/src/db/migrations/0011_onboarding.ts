import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Catalogue entries loaded from a catalogue file are public; sign-ups stay hidden until approved.
  await db.schema
    .alterTable('organisations')
    .addColumn('listed', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  // The security contact is a person: sealed with the at-rest envelope, never plain.
  await db.schema.alterTable('organisations').addColumn('security_contact_sealed', 'text').execute();
  await db.schema
    .alterTable('services')
    .addColumn('environment', 'text', (c) => c.notNull().defaultTo('production'))
    .execute();

  await db.schema
    .createTable('integration_applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', sql`text collate "C"`, (c) =>
      c.notNull().references('organisations.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    // The service id, or the dataset ids joined by commas: what the application would publish.
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    // The whole application (it names a security contact) sealed with the at-rest envelope.
    .addColumn('body_sealed', 'text', (c) => c.notNull())
    .addColumn('jwks_url', 'text')
    .addColumn('flag_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index integration_applications_org_idx on integration_applications (organisation_id)`.execute(
    db,
  );
  await sql`create index integration_applications_status_idx on integration_applications (status, submitted_at)`.execute(
    db,
  );

  // Append-only audit trail of every submission, decision, suspension and reinstatement. Each row
  // carries sha256(previous hash + canonical row), so a row changed or removed afterwards shows.
  await db.schema
    .createTable('integration_decisions')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor_ref', 'text', (c) => c.notNull())
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`create index integration_decisions_app_idx on integration_decisions (application_id)`.execute(db);
  // The platform itself never changes or removes a row; the hash chain shows it if someone else does.
  await sql`create function integration_decisions_append_only() returns trigger language plpgsql as $$
    begin raise exception 'integration_decisions is append-only'; end $$`.execute(db);
  await sql`create trigger integration_decisions_append_only before update or delete on integration_decisions
    for each row execute function integration_decisions_append_only()`.execute(db);

  // Which OAuth clients an organisation owns and where their keys come from (oauth_clients has the keys).
  await db.schema
    .createTable('onboarding_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('jwks_url', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index onboarding_clients_org_idx on onboarding_clients (organisation_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('onboarding_clients').ifExists().execute();
  await db.schema.dropTable('integration_decisions').ifExists().execute();
  await sql`drop function if exists integration_decisions_append_only()`.execute(db);
  await db.schema.dropTable('integration_applications').ifExists().execute();
  await db.schema.alterTable('services').dropColumn('environment').execute();
  await db.schema.alterTable('organisations').dropColumn('security_contact_sealed').execute();
  await db.schema.alterTable('organisations').dropColumn('listed').execute();
}
