import type { ColumnType } from 'kysely';

/** jsonb columns: written as JSON text, read back parsed. */
export type Json<T> = ColumnType<T, string, string>;
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
