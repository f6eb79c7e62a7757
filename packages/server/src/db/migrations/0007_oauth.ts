import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // oidc-provider's artefacts. Its payloads are opaque to us; the columns beside them are what it
  // looks them up by (uid for sessions, grant_id to revoke a grant's codes and tokens at once).
  await db.schema
    .createTable('oauth_artifacts')
    .addColumn('model', sql`text collate "C"`, (c) => c.notNull())
    .addColumn('id', sql`text collate "C"`, (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('grant_id', sql`text collate "C"`)
    .addColumn('uid', sql`text collate "C"`)
    .addColumn('expires_at', 'timestamptz')
    .addColumn('consumed_at', 'timestamptz')
    .addPrimaryKeyConstraint('oauth_artifacts_pk', ['model', 'id'])
    .execute();
  await sql`create index oauth_artifacts_grant_idx on oauth_artifacts (grant_id) where grant_id is not null`.execute(
    db,
  );
  await sql`create index oauth_artifacts_uid_idx on oauth_artifacts (model, uid) where uid is not null`.execute(
    db,
  );
  await sql`create index oauth_artifacts_expiry_idx on oauth_artifacts (expires_at)`.execute(db);

  await db.schema
    .createTable('oauth_clients')
    .addColumn('client_id', sql`text collate "C"`, (c) => c.primaryKey())
    .addColumn('jwks', 'jsonb', (c) => c.notNull())
    .addColumn('redirect_uris', 'jsonb', (c) => c.notNull())
    .addColumn('webhook_url', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('oauth_interactions')
    .addColumn('uid', sql`text collate "C"`, (c) => c.primaryKey())
    .addColumn('citizen_id', 'uuid', (c) => c.notNull())
    .addColumn('consent_id', sql`text collate "C"`)
    .addColumn('problem', 'jsonb')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('oauth_dpop_proofs')
    .addColumn('jkt', sql`text collate "C"`, (c) => c.notNull())
    .addColumn('jti', sql`text collate "C"`, (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('oauth_dpop_proofs_pk', ['jkt', 'jti'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['oauth_dpop_proofs', 'oauth_interactions', 'oauth_clients', 'oauth_artifacts']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
