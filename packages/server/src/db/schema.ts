import type { CatalogueTables } from '../catalogue/tables.ts';
import type { ConsentTables } from '../consent/tables.ts';
import type { CounterTables } from '../counter/tables.ts';
import type { DownloadTables } from '../download/tables.ts';
import type { ExchangeTables } from '../exchange/tables.ts';
import type { IdentityTables } from '../identity/tables.ts';
import type { UsageLogTables } from '../log/tables.ts';
import type { NotificationTables } from '../notify/tables.ts';
import type { OAuthTables } from '../oauth/tables.ts';
import type { OnboardingTables } from '../onboarding/tables.ts';
import type { StaffTables } from '../staff/tables.ts';
import type { StatisticsTables } from '../stats/tables.ts';

/**
 * Every table of the platform, as Kysely sees it. Each capability declares its own tables beside its
 * code; this is only where they meet.
 */
export interface Database
  extends CatalogueTables,
    ExchangeTables,
    StatisticsTables,
    UsageLogTables,
    NotificationTables,
    IdentityTables,
    OAuthTables,
    ConsentTables,
    CounterTables,
    DownloadTables,
    StaffTables,
    OnboardingTables {}
