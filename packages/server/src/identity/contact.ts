/**
 * The citizen's contact details for notifications (通知設定): an e-mail address and a Taiwan mobile
 * number, sealed in the account (`repo.setContact`). Every producer of notifications reads them
 * through `repo.contactOf`, so a change takes effect at the next event. A change is itself a
 * usage-log event (`contact-changed`), told to the old addresses: someone who took over a session
 * cannot quietly redirect the citizen's notices.
 */
import type { Language } from '@mydata/core';
import { type Static, Type } from 'typebox';
import type { Db } from '../db/database.ts';
import type { UsageRecorder } from '../log/record.ts';
import type { Contact, IdentityRepo } from './repository.ts';

/** 09 and 8 digits: the numbering plan of Taiwan's mobile networks. */
export const TAIWAN_MOBILE = '^09[0-9]{8}$';

export const ContactView = Type.Object({
  email: Type.Union([Type.String(), Type.Null()]),
  mobile: Type.Union([Type.String(), Type.Null()]),
});
export type ContactView = Static<typeof ContactView>;

export const ContactUpdate = Type.Object(
  {
    email: Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()], {
      description: 'E-mail address for notifications; null for none',
    }),
    mobile: Type.Union([Type.String({ pattern: TAIWAN_MOBILE }), Type.Null()], {
      description: 'Mobile number for text messages (09 and 8 digits); null for none',
    }),
    lang: Type.Optional(Type.Enum(['zh-TW', 'en'] as const, { description: 'Language of the notice' })),
  },
  { additionalProperties: false },
);
export type ContactUpdate = Static<typeof ContactUpdate>;

type Change = 'added' | 'changed' | 'removed' | 'unchanged';

function change(before: string | null, after: string | null): Change {
  if (before === after) return 'unchanged';
  if (!before) return 'added';
  return after ? 'changed' : 'removed';
}

export interface ContactSettingsOptions {
  db: Db;
  repo: Pick<IdentityRepo, 'contactOf' | 'setContact' | 'nationalIdOf'>;
  recorder: Pick<UsageRecorder, 'record'>;
  now?: () => Date;
}

/** Reads and changes a citizen's contact details, logging and notifying each change. */
export function createContactSettings({
  db,
  repo,
  recorder,
  now = () => new Date(),
}: ContactSettingsOptions) {
  const view = (c: Contact | undefined): ContactView => ({
    email: c?.email ?? null,
    mobile: c?.mobile ?? null,
  });

  return {
    async get(citizenId: string): Promise<ContactView> {
      return view(await repo.contactOf(citizenId));
    },

    /** Stores the new details; logs the change and tells the old addresses. Returns the details and whether they changed. */
    async update(
      citizenId: string,
      next: { email: string | null; mobile: string | null },
      lang: Language = 'zh-TW',
    ): Promise<ContactView & { changed: boolean }> {
      const before = view(await repo.contactOf(citizenId));
      const after: ContactView = { email: next.email?.trim() || null, mobile: next.mobile?.trim() || null };
      const email = change(before.email, after.email);
      const mobile = change(before.mobile, after.mobile);
      if (email === 'unchanged' && mobile === 'unchanged') return { ...after, changed: false };
      const nationalId = await repo.nationalIdOf(citizenId);
      await repo.setContact(citizenId, after);
      try {
        await db.transaction().execute((tx) =>
          recorder.record(
            {
              citizenId: nationalId,
              event: 'contact-changed',
              occurredAt: now(),
              // What changed, never the addresses themselves.
              details: { email, mobile },
            },
            { tx, notify: { email: before.email, sms: before.mobile, lang } },
          ),
        );
      } catch (error) {
        // Not logged, so not changed: a change the citizen is never told of must not stand.
        await repo.setContact(citizenId, before);
        throw error;
      }
      return { ...after, changed: true };
    },
  };
}

export type ContactSettings = ReturnType<typeof createContactSettings>;
