import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AssuranceLevel, SignInMethod } from '@mydata/core';
import { type Kysely, sql } from 'kysely';
import type { Envelope } from '../crypto/envelope.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { Recipients } from '../log/record.ts';

/** A citizen account as the identity capability sees it: never the plain national ID unless asked. */
export interface CitizenAccount {
  id: string;
  citizenRef: string;
  createdAt: Date;
  /** Methods ever verified, with when first and last. */
  methods: { method: SignInMethod; firstVerifiedAt: Date; lastVerifiedAt: Date }[];
}

export interface Contact {
  email?: string | null;
  mobile?: string | null;
}

export interface StoredSession {
  id: string;
  citizenId: string;
  assurance: AssuranceLevel;
  methods: SignInMethod[];
  createdAt: Date;
  lastSeenAt: Date;
}

export interface StoredFlow {
  id: string;
  citizenRef: string;
  nationalId: string;
  verified: SignInMethod[];
}

/** SHA-256 of a bearer token: what the database keeps, so a leaked table holds no usable token. */
export const tokenHash = (token: string) => createHash('sha256').update(token).digest();

/** A citizen's chosen contact as the usage recorder's recipients. */
const recipients = (c: Contact | undefined): Recipients | undefined =>
  c ? { email: c.email ?? null, sms: c.mobile ?? null } : undefined;

/** A fresh bearer token, 256 bits, base64url. */
export const newToken = () => randomBytes(32).toString('base64url');

/** Storage of the identity capability: accounts, methods, sessions, flows, challenges and attempt counters. */
export function createIdentityRepo({
  db,
  envelope,
  citizenRef,
}: {
  db: Db;
  envelope: Envelope;
  /** The usage log's keyed hash of a national ID, so accounts and log entries agree. */
  citizenRef: (nationalId: string) => string;
}) {
  const idContext = (id: string) => `identity_citizens:${id}:national_id`;
  const contactContext = (id: string) => `identity_citizens:${id}:contact`;
  const flowContext = (id: string) => `identity_flows:${id}`;

  /** An account with its methods in one round trip: sign-in and every consent screen read it. */
  async function accountWhere(
    q: Kysely<Database>,
    column: 'id' | 'citizen_ref',
    value: string,
  ): Promise<CitizenAccount | undefined> {
    const rows = await q
      .selectFrom('identity_citizens as c')
      .leftJoin('identity_citizen_methods as m', 'm.citizen_id', 'c.id')
      .select([
        'c.id',
        'c.citizen_ref',
        'c.created_at',
        'm.method',
        'm.first_verified_at',
        'm.last_verified_at',
      ])
      .where(`c.${column}`, '=', value)
      .orderBy('m.first_verified_at')
      .execute();
    const first = rows[0];
    if (!first) return undefined;
    return {
      id: first.id,
      citizenRef: first.citizen_ref,
      createdAt: new Date(first.created_at),
      methods: rows.flatMap((r) =>
        r.method && r.first_verified_at && r.last_verified_at
          ? [
              {
                method: r.method as SignInMethod,
                firstVerifiedAt: new Date(r.first_verified_at),
                lastVerifiedAt: new Date(r.last_verified_at),
              },
            ]
          : [],
      ),
    };
  }

  return {
    citizenRef,

    async findCitizenByNationalId(
      nationalId: string,
      q: Kysely<Database> = db,
    ): Promise<CitizenAccount | undefined> {
      return accountWhere(q, 'citizen_ref', citizenRef(nationalId));
    },

    async getCitizen(id: string, q: Kysely<Database> = db): Promise<CitizenAccount | undefined> {
      return accountWhere(q, 'id', id);
    },

    /** The keyed citizen reference of an account (the input of pairwise subjects), without its methods. */
    async citizenRefOf(id: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('identity_citizens')
        .select('citizen_ref')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.citizen_ref;
    },

    /** The plain national ID of an account, for the few places that must send it (agency queries, the log). */
    async nationalIdOf(citizenId: string, q: Kysely<Database> = db): Promise<string> {
      const row = await q
        .selectFrom('identity_citizens')
        .select('national_id_sealed')
        .where('id', '=', citizenId)
        .executeTakeFirstOrThrow();
      return envelope.openText(row.national_id_sealed, idContext(citizenId));
    },

    /**
     * Creates the account if it does not exist and records the methods just verified; returns the
     * account and which of the methods are new to it. Concurrent first sign-ins of one citizen meet
     * at the unique citizen_ref and end up with one account.
     */
    async recordVerification(
      tx: Kysely<Database>,
      nationalId: string,
      methods: SignInMethod[],
      at: Date,
    ): Promise<{ citizenId: string; newMethods: SignInMethod[]; created: boolean }> {
      const id = randomUUID();
      const inserted = await tx
        .insertInto('identity_citizens')
        .values({
          id,
          citizen_ref: citizenRef(nationalId),
          national_id_sealed: envelope.seal(nationalId, idContext(id)),
          created_at: at,
          last_sign_in_at: at,
        })
        .onConflict((oc) => oc.column('citizen_ref').doUpdateSet({ last_sign_in_at: at }))
        .returning(['id', sql<boolean>`xmax = 0`.as('created')])
        .executeTakeFirstOrThrow();
      // xmax = 0 tells a row this statement created from one it updated: the method is new to the account.
      const newMethods: SignInMethod[] = [];
      for (const method of new Set(methods)) {
        const row = await tx
          .insertInto('identity_citizen_methods')
          .values({ citizen_id: inserted.id, method, first_verified_at: at, last_verified_at: at })
          .onConflict((oc) => oc.columns(['citizen_id', 'method']).doUpdateSet({ last_verified_at: at }))
          .returning(sql<boolean>`xmax = 0`.as('created'))
          .executeTakeFirstOrThrow();
        if (row.created) newMethods.push(method);
      }
      return {
        citizenId: inserted.id,
        newMethods,
        created: Boolean(inserted.created),
      };
    },

    /** Forgets that a citizen has a method (its last passkey was removed). */
    async removeMethod(citizenId: string, method: SignInMethod): Promise<void> {
      await db
        .deleteFrom('identity_citizen_methods')
        .where('citizen_id', '=', citizenId)
        .where('method', '=', method)
        .execute();
    },

    async setContact(citizenId: string, contact: Contact): Promise<void> {
      await db
        .updateTable('identity_citizens')
        .set({ contact_sealed: envelope.seal(JSON.stringify(contact), contactContext(citizenId)) })
        .where('id', '=', citizenId)
        .execute();
    },

    /** Where a citizen's notifications go, in the form the usage recorder takes; undefined when none is set. */
    async recipientsOf(citizenId: string, q: Kysely<Database> = db): Promise<Recipients | undefined> {
      return recipients(await this.contactOf(citizenId, q));
    },

    /** Whom an entry in the citizen's log names and whom it notifies, in one read. */
    async loggableOf(
      citizenId: string,
      q: Kysely<Database> = db,
    ): Promise<{ nationalId: string; notify: Recipients | undefined }> {
      const row = await q
        .selectFrom('identity_citizens')
        .select(['national_id_sealed', 'contact_sealed'])
        .where('id', '=', citizenId)
        .executeTakeFirstOrThrow();
      return {
        nationalId: envelope.openText(row.national_id_sealed, idContext(citizenId)),
        notify: row.contact_sealed
          ? recipients(
              JSON.parse(envelope.openText(row.contact_sealed, contactContext(citizenId))) as Contact,
            )
          : undefined,
      };
    },

    async contactOf(citizenId: string, q: Kysely<Database> = db): Promise<Contact | undefined> {
      const row = await q
        .selectFrom('identity_citizens')
        .select('contact_sealed')
        .where('id', '=', citizenId)
        .executeTakeFirst();
      if (!row?.contact_sealed) return undefined;
      return JSON.parse(envelope.openText(row.contact_sealed, contactContext(citizenId))) as Contact;
    },

    // Sessions

    async createSession(
      tx: Kysely<Database>,
      s: { citizenId: string; assurance: AssuranceLevel; methods: SignInMethod[]; at: Date },
    ): Promise<{ id: string; token: string }> {
      const token = newToken();
      const id = randomUUID();
      await tx
        .insertInto('identity_sessions')
        .values({
          id,
          token_hash: tokenHash(token),
          citizen_id: s.citizenId,
          assurance: s.assurance,
          methods: JSON.stringify(s.methods),
          created_at: s.at,
          last_seen_at: s.at,
        })
        .execute();
      return { id, token };
    },

    async findSession(token: string): Promise<(StoredSession & { endedAt: Date | null }) | undefined> {
      const row = await db
        .selectFrom('identity_sessions')
        .selectAll()
        .where('token_hash', '=', tokenHash(token))
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        citizenId: row.citizen_id,
        assurance: row.assurance as AssuranceLevel,
        methods: row.methods as SignInMethod[],
        createdAt: new Date(row.created_at),
        lastSeenAt: new Date(row.last_seen_at),
        endedAt: row.ended_at ? new Date(row.ended_at) : null,
      };
    },

    async touchSession(id: string, at: Date): Promise<void> {
      await db.updateTable('identity_sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
    },

    /**
     * Gives a session a new token (and optionally a new assurance), so a token seen before a
     * privilege change is worthless after it. Returns the new token.
     */
    async rotateSession(
      tx: Kysely<Database>,
      id: string,
      change: { assurance: AssuranceLevel; methods: SignInMethod[]; at: Date },
    ): Promise<string> {
      const token = newToken();
      await tx
        .updateTable('identity_sessions')
        .set({
          token_hash: tokenHash(token),
          assurance: change.assurance,
          methods: JSON.stringify(change.methods),
          last_seen_at: change.at,
        })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .execute();
      return token;
    },

    async endSession(id: string, at: Date): Promise<void> {
      await db
        .updateTable('identity_sessions')
        .set({ ended_at: at })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .execute();
    },

    /** Ends every open session of a citizen; returns how many. */
    async endAllSessions(citizenId: string, at: Date): Promise<number> {
      const rows = await db
        .updateTable('identity_sessions')
        .set({ ended_at: at })
        .where('citizen_id', '=', citizenId)
        .where('ended_at', 'is', null)
        .returning('id')
        .execute();
      return rows.length;
    },

    // Sign-in flows (first use, between the first and the second method)

    async createFlow(f: {
      nationalId: string;
      verified: SignInMethod[];
      expiresAt: Date;
    }): Promise<{ id: string; token: string }> {
      const id = randomUUID();
      const token = newToken();
      await db
        .insertInto('identity_flows')
        .values({
          id,
          token_hash: tokenHash(token),
          citizen_ref: citizenRef(f.nationalId),
          national_id_sealed: envelope.seal(f.nationalId, flowContext(id)),
          verified: JSON.stringify(f.verified),
          expires_at: f.expiresAt,
        })
        .execute();
      return { id, token };
    },

    /** The flow a token names; undefined when unknown or expired. */
    async findFlow(token: string, at: Date): Promise<StoredFlow | undefined> {
      const row = await db
        .selectFrom('identity_flows')
        .selectAll()
        .where('token_hash', '=', tokenHash(token))
        .executeTakeFirst();
      if (!row || new Date(row.expires_at) <= at) return undefined;
      return {
        id: row.id,
        citizenRef: row.citizen_ref,
        nationalId: envelope.openText(row.national_id_sealed, flowContext(row.id)),
        verified: row.verified as SignInMethod[],
      };
    },

    /** Removes a flow; false when another request already did (the flow is used once). */
    async deleteFlow(id: string, q: Kysely<Database> = db): Promise<boolean> {
      const row = await q
        .deleteFrom('identity_flows')
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    // Challenges

    async createChallenge(c: { nonce: string; expiresAt: Date }): Promise<string> {
      const id = randomUUID();
      await db
        .insertInto('identity_challenges')
        .values({ id, nonce: c.nonce, expires_at: c.expiresAt })
        .execute();
      return id;
    },

    /**
     * Marks a challenge used and returns its nonce, in one statement so two processes racing with
     * the same signature cannot both succeed. Says why when it cannot be used.
     */
    async consumeChallenge(
      id: string,
      at: Date,
    ): Promise<{ ok: true; nonce: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' }> {
      const row = await db
        .updateTable('identity_challenges')
        .set({ used_at: at })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returning('nonce')
        .executeTakeFirst();
      if (row) return { ok: true, nonce: row.nonce };
      const seen = await db
        .selectFrom('identity_challenges')
        .select(['used_at'])
        .where('id', '=', id)
        .executeTakeFirst();
      return { ok: false, reason: !seen ? 'unknown' : seen.used_at ? 'used' : 'expired' };
    },

    /**
     * Drops what can no longer be used: challenges and flows past their lifetime, and sessions that
     * ended or timed out (last seen before `idleBefore`, or signed in before `createdBefore`).
     * Expired attempt windows without a live lock go too. Returns how many rows of each.
     */
    async purgeExpired(at: Date, sessions: { idleBefore: Date; createdBefore: Date }) {
      const challenges = await db
        .deleteFrom('identity_challenges')
        .where('expires_at', '<', at)
        .executeTakeFirst();
      const flows = await db.deleteFrom('identity_flows').where('expires_at', '<', at).executeTakeFirst();
      const ended = await db
        .deleteFrom('identity_sessions')
        .where((eb) =>
          eb.or([
            eb('ended_at', 'is not', null),
            eb('last_seen_at', '<', sessions.idleBefore),
            eb('created_at', '<', sessions.createdBefore),
          ]),
        )
        .executeTakeFirst();
      return {
        challenges: Number(challenges.numDeletedRows),
        flows: Number(flows.numDeletedRows),
        sessions: Number(ended.numDeletedRows),
      };
    },

    // Attempt counters and lockouts

    async lockedUntil(key: string, at: Date): Promise<Date | undefined> {
      const row = await db
        .selectFrom('identity_attempts')
        .select('locked_until')
        .where('key', '=', key)
        .executeTakeFirst();
      const until = row?.locked_until ? new Date(row.locked_until) : undefined;
      return until && until > at ? until : undefined;
    },

    /**
     * Counts one failure in a fixed window and locks the key when the count reaches `max`. The
     * upsert is one statement, so concurrent failures from several processes are all counted.
     */
    async countFailure(
      key: string,
      at: Date,
      policy: { max: number; windowSeconds: number; lockSeconds: number },
    ): Promise<{ failures: number; lockedUntil: Date | undefined; justLocked: boolean }> {
      const windowStart = new Date(at.getTime() - policy.windowSeconds * 1000);
      const lockUntil = new Date(at.getTime() + policy.lockSeconds * 1000);
      const row = await sql<{ failures: number; locked_until: Date | null; was_locked: boolean }>`
        insert into identity_attempts as a (key, window_started_at, failures, locked_until)
        values (${key}, ${at}, 1, ${policy.max <= 1 ? lockUntil : null})
        on conflict (key) do update set
          failures = case when a.window_started_at < ${windowStart} then 1 else a.failures + 1 end,
          window_started_at = case when a.window_started_at < ${windowStart} then ${at} else a.window_started_at end,
          locked_until = case
            when (case when a.window_started_at < ${windowStart} then 1 else a.failures + 1 end) >= ${policy.max}
              and (a.locked_until is null or a.locked_until <= ${at})
            then ${lockUntil}::timestamptz
            else a.locked_until end
        returning failures, locked_until,
          (locked_until is not null and locked_until = ${lockUntil}::timestamptz) as was_locked`.execute(db);
      const r = row.rows[0] as { failures: number; locked_until: Date | null; was_locked: boolean };
      const until = r.locked_until ? new Date(r.locked_until) : undefined;
      return {
        failures: Number(r.failures),
        lockedUntil: until && until > at ? until : undefined,
        // Exactly one failure in a window is the one that reaches max, however many race.
        justLocked: Boolean(r.was_locked) && Number(r.failures) === policy.max,
      };
    },

    /** Clears a key's counter; returns whether it was locked (so the reset is worth logging). */
    /** Forgets the failures counted under the keys; returns the keys that were locked at `at`. */
    async resetAttempts(keys: string[], at: Date, q: Kysely<Database> = db): Promise<Set<string>> {
      if (keys.length === 0) return new Set();
      const rows = await q
        .deleteFrom('identity_attempts')
        .where('key', 'in', keys)
        .returning(['key', 'locked_until'])
        .execute();
      return new Set(rows.filter((r) => r.locked_until && new Date(r.locked_until) > at).map((r) => r.key));
    },
  };
}

export type IdentityRepo = ReturnType<typeof createIdentityRepo>;
