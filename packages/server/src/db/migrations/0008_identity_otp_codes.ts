import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // SMS one-time codes of the mobile-number method (行動化驗證). The code is kept only as an HMAC
  // under a key derived from the at-rest key `key_id`; the number it went to is not kept at all.
  await db.schema
    .createTable('identity_otp_codes')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // The usage log's keyed reference of the citizen the code was sent for.
    .addColumn('citizen_ref', 'text', (c) => c.notNull())
    // AES-256-GCM envelope of the national ID, bound to this row's id.
    .addColumn('national_id_sealed', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'bytea', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    // Set when the code was used or replaced by a newer one; `closed_reason` says which.
    .addColumn('closed_at', 'timestamptz')
    .addColumn('closed_reason', 'text')
    .execute();
  await sql`create index identity_otp_codes_citizen_idx on identity_otp_codes (citizen_ref) where closed_at is null`.execute(
    db,
  );
  await sql`create index identity_otp_codes_expires_idx on identity_otp_codes (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_otp_codes').ifExists().execute();
}
