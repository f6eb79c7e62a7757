import { isNotifiedEvent, type Language } from '@mydata/core';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Delivery, Outbox } from '../notify/outbox.ts';
import type { NotificationParams } from '../notify/templates.ts';
import type { Checkpoint, CitizenEntry, CitizenEntryFilter, UsageEvent, UsageLog } from './repository.ts';

/** Where to tell the citizen; the producer passes what the citizen chose (identity owns that choice). */
export interface Recipients {
  email?: string | null;
  sms?: string | null;
  lang?: Language;
}

export interface RecordOptions {
  /** The caller's transaction: the event, its log entry and its notifications commit together. */
  tx?: Kysely<Database>;
  notify?: Recipients;
  /** Names for the notification text, in the citizen's language. */
  params?: Omit<NotificationParams, 'at'>;
}

export interface CitizenUsageEntry extends CitizenEntry {
  notifications: Delivery[];
}

/** The one call features make: log the event and, for events citizens are told about, queue the notifications. */
export function createUsageRecorder({ log, outbox }: { log: UsageLog; outbox: Outbox }) {
  return {
    async record(
      event: UsageEvent,
      options: RecordOptions = {},
    ): Promise<{ entryId: string; notificationIds: string[] }> {
      const at = event.occurredAt ?? new Date();
      const { id } = await log.append({ ...event, occurredAt: at }, options.tx);
      const notificationIds: string[] = [];
      const to = options.notify;
      if (to && isNotifiedEvent(event.event)) {
        const base = {
          logEntryId: id,
          template: event.event,
          lang: to.lang ?? 'zh-TW',
          params: { ...options.params, at: at.toISOString() },
        } as const;
        if (to.email)
          notificationIds.push(await outbox.enqueue({ ...base, channel: 'email', to: to.email }, options.tx));
        if (to.sms)
          notificationIds.push(await outbox.enqueue({ ...base, channel: 'sms', to: to.sms }, options.tx));
      }
      return { entryId: id, notificationIds };
    },

    /** The citizen's own view: entries with filters, each with its inclusion proof and its notifications' delivery. */
    async citizenView(
      nationalId: string,
      filter: CitizenEntryFilter = {},
    ): Promise<{ checkpoint: Checkpoint | undefined; items: CitizenUsageEntry[] }> {
      const { checkpoint, items } = await log.listCitizenEntries(nationalId, filter);
      const deliveries = await outbox.deliveries(items.map((i) => i.id));
      return { checkpoint, items: items.map((i) => ({ ...i, notifications: deliveries.get(i.id) ?? [] })) };
    },
  };
}

export type UsageRecorder = ReturnType<typeof createUsageRecorder>;
