import type { Migration } from 'kysely';
import * as m0001 from './0001_catalogue.ts';

/** Every migration in order. Names are permanent: a renamed migration would run twice. */
export const migrations: Record<string, Migration> = {
  '0001_catalogue': m0001,
};
