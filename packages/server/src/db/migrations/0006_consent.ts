import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per consent. No national ID: the citizen is the account id, the service sees only the
  // pairwise subject. The summary keeps the names the citizen saw, so the history reads the same later.
  await db.schema
    .createTable('consents')
    .addColumn('id', sql`text collate "C"`, (c) => c.primaryKey())
    // Erasing an account erases its consents (and, by cascade, any package waiting).
    .addColumn('citizen_id', 'uuid', (c) =>
      c.notNull().references('identity_citizens.id').onDelete('cascade'),
    )
    .addColumn('client_id', sql`text collate "C"`, (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('datasets', 'jsonb', (c) => c.notNull())
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .addColumn('receipt', 'text', (c) => c.notNull())
    .addColumn('receipt_sha256', 'text', (c) => c.notNull())
    .addColumn('interaction_uid', 'text')
    .addColumn('grant_id', 'text')
    // The last collection failure (code and params), shown to the citizen with Retry and Cancel.
    .addColumn('problem', 'jsonb')
    .addColumn('end_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status_changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index consents_citizen_idx on consents (citizen_id, created_at desc)`.execute(db);
  await sql`create index consents_due_idx on consents (expires_at) where status in ('pending', 'active')`.execute(
    db,
  );

  // The package waiting for the service: a JWE only the service can open. Deleted when taken,
  // withdrawn or expired, so it lives at most the package lifetime.
  await db.schema
    .createTable('consent_packages')
    .addColumn('consent_id', sql`text collate "C"`, (c) =>
      c.primaryKey().references('consents.id').onDelete('cascade'),
    )
    .addColumn('jwe', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('consent_packages').ifExists().execute();
  await db.schema.dropTable('consents').ifExists().execute();
}
