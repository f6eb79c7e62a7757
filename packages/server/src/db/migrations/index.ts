import type { Migration } from 'kysely';
import * as m0001 from './0001_catalogue.ts';
import * as m0002 from './0002_exchange.ts';
import * as m0003 from './0003_usage_log.ts';
import * as m0004 from './0004_identity.ts';
import * as m0005 from './0005_identity_passkeys.ts';
import * as m0006 from './0006_consent.ts';
import * as m0007 from './0007_oauth.ts';
import * as m0008 from './0008_identity_otp_codes.ts';
import * as m0009 from './0009_downloads.ts';
import * as m0010 from './0010_staff_and_suspension.ts';
import * as m0011 from './0011_onboarding.ts';
import * as m0012 from './0012_counter.ts';
import * as m0013 from './0013_consent_parties.ts';

/** Every migration in order. Names are permanent: a renamed migration would run twice. */
export const migrations: Record<string, Migration> = {
  '0001_catalogue': m0001,
  '0002_exchange': m0002,
  '0003_usage_log': m0003,
  '0004_identity': m0004,
  '0005_identity_passkeys': m0005,
  '0006_consent': m0006,
  '0007_oauth': m0007,
  '0008_identity_otp_codes': m0008,
  '0009_downloads': m0009,
  '0010_staff_and_suspension': m0010,
  '0011_onboarding': m0011,
  '0012_counter': m0012,
  '0013_consent_parties': m0013,
};
