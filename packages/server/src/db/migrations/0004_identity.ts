import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per citizen who has ever signed in. No password, no plain national ID.
  await db.schema
    .createTable('identity_citizens')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // HMAC of the national ID (hex), the same reference the usage log stores.
    .addColumn('citizen_ref', 'text', (c) => c.notNull().unique())
    // AES-256-GCM envelope of the national ID, bound to this row's id.
    .addColumn('national_id_sealed', 'text', (c) => c.notNull())
    // Envelope of {email, mobile} where the citizen wants notifications; null until given.
    .addColumn('contact_sealed', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'timestamptz')
    .execute();

  // Which methods a citizen has verified with: the first-use rule and "new method" notices read it.
  await db.schema
    .createTable('identity_citizen_methods')
    .addColumn('citizen_id', 'uuid', (c) =>
      c.notNull().references('identity_citizens.id').onDelete('cascade'),
    )
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('first_verified_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_verified_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_citizen_methods_pk', ['citizen_id', 'method'])
    .execute();

  // Server-side sessions: the cookie carries a random token, only its SHA-256 is stored.
  await db.schema
    .createTable('identity_sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('token_hash', 'bytea', (c) => c.notNull().unique())
    .addColumn('citizen_id', 'uuid', (c) =>
      c.notNull().references('identity_citizens.id').onDelete('cascade'),
    )
    .addColumn('assurance', 'text', (c) => c.notNull())
    .addColumn('methods', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await sql`create index identity_sessions_citizen_idx on identity_sessions (citizen_id) where ended_at is null`.execute(
    db,
  );

  // A sign-in in progress: the first method of a first use, waiting for the second.
  await db.schema
    .createTable('identity_flows')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('token_hash', 'bytea', (c) => c.notNull().unique())
    .addColumn('citizen_ref', 'text', (c) => c.notNull())
    .addColumn('national_id_sealed', 'text', (c) => c.notNull())
    .addColumn('verified', 'jsonb', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // Single-use challenges for signature methods (citizen certificate).
  await db.schema
    .createTable('identity_challenges')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  // Failure counters and lockouts, shared by every platform process. `key` names the subject of
  // the limit: a method and a citizen reference, or a method and a client address.
  await db.schema
    .createTable('identity_attempts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'identity_attempts',
    'identity_challenges',
    'identity_flows',
    'identity_sessions',
    'identity_citizen_methods',
    'identity_citizens',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
