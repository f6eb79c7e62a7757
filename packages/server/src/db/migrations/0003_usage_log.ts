import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per usage event. Leaves are salted commitments, so erasing an entry's personal data
  // (sealed, citizen_ref, the filter columns) leaves its commitment and thus the tree intact.
  await db.schema
    .createTable('usage_log_entries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // Arrival order of entries not yet in the tree; the sequencer takes them in this order.
    .addColumn('arrival', 'bigserial', (c) => c.notNull())
    // Position in the Merkle tree, set once by the sequencer; unique so the log cannot fork.
    .addColumn('seq', 'bigint', (c) => c.unique())
    .addColumn('commitment', 'bytea', (c) => c.notNull())
    // HMAC of the national ID (hex); the plain ID is never stored.
    .addColumn('citizen_ref', 'text')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('service_id', 'text')
    .addColumn('datasets', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // AES-256-GCM envelope of {salt, entry}: what the commitment opens to.
    .addColumn('sealed', 'text')
    .addColumn('erased_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index usage_log_pending_idx on usage_log_entries (arrival) where seq is null`.execute(db);
  await sql`create index usage_log_citizen_idx on usage_log_entries (citizen_ref, occurred_at) where citizen_ref is not null`.execute(
    db,
  );

  // Hashes of completed perfect subtrees: node (level, idx) covers leaves [idx·2^level, (idx+1)·2^level).
  await db.schema
    .createTable('usage_log_nodes')
    .addColumn('level', 'smallint', (c) => c.notNull())
    .addColumn('idx', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_log_nodes_pk', ['level', 'idx'])
    .execute();

  await db.schema
    .createTable('usage_log_state')
    .addColumn('id', 'smallint', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into usage_log_state (id, size) values (1, 0)`.execute(db);

  await db.schema
    .createTable('usage_log_checkpoints')
    .addColumn('size', 'bigint', (c) => c.primaryKey())
    .addColumn('root', 'bytea', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Durable outbox: written in the event's transaction, drained by workers with SKIP LOCKED.
  await db.schema
    .createTable('notification_outbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('log_entry_id', 'uuid', (c) => c.references('usage_log_entries.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    // Envelope of {to, params}; dropped once the message is sent or dead-lettered.
    .addColumn('sealed', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await sql`create index notification_outbox_due_idx on notification_outbox (next_attempt_at) where status in ('pending', 'sending')`.execute(
    db,
  );
  await db.schema
    .createIndex('notification_outbox_entry_idx')
    .on('notification_outbox')
    .column('log_entry_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'notification_outbox',
    'usage_log_checkpoints',
    'usage_log_state',
    'usage_log_nodes',
    'usage_log_entries',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
