import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Passkeys (the mobile citizen certificate, 行動自然人憑證, as FIDO2/WebAuthn credentials).
  await db.schema
    .createTable('identity_passkeys')
    // The credential id, base64url, as the authenticator names it.
    .addColumn('id', sql`text collate "C"`, (c) => c.primaryKey())
    .addColumn('citizen_id', 'uuid', (c) =>
      c.notNull().references('identity_citizens.id').onDelete('cascade'),
    )
    // COSE public key: not secret, but only useful to this platform.
    .addColumn('public_key', 'bytea', (c) => c.notNull())
    // Signature counter, to notice a cloned authenticator.
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await sql`create index identity_passkeys_citizen_idx on identity_passkeys (citizen_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_passkeys').ifExists().execute();
}
