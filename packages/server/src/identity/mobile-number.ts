/**
 * Mobile number (行動化驗證), assurance low. The citizen gives their national ID, mobile number and
 * NHI card number; a telecom operator confirms the number is registered to them and the NHI
 * administration that the card number is theirs (both over the exchange layer, through the
 * IdentityChecks port); the platform then texts a 6-digit one-time code through the notification
 * outbox, and a second request with the code verifies the method.
 *
 * The code is stored only as an HMAC under a key derived from the at-rest key, and the number it
 * goes to only inside the outbox's sealed row until it is sent; neither reaches any log.
 */
import { createHmac, hkdfSync, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError, isValidNationalId, LANGUAGES } from '@mydata/core';
import { type Kysely, sql } from 'kysely';
import { type Static, Type } from 'typebox';
import type { Envelope, KeyRing } from '../crypto/envelope.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { Outbox } from '../notify/outbox.ts';
import { ONE_TIME_CODE_TEMPLATE } from '../notify/templates.ts';
import { type AttemptPolicy, type Authenticator, VerificationFailure } from './authenticators.ts';
import { type IdentityChecks, NationalId, NhiCardNumber } from './documents.ts';

export const MobileNumberCodeRequest = Type.Object(
  {
    nationalId: NationalId,
    mobileNumber: Type.String({
      pattern: '^09[0-9]{8}$',
      description: '手機號碼 (mobile number), 09 and 8 digits',
    }),
    nhiCardNumber: NhiCardNumber,
    lang: Type.Optional(
      Type.Enum(LANGUAGES, { description: 'Language of the text message; zh-TW by default' }),
    ),
  },
  { additionalProperties: false },
);
export type MobileNumberCodeRequest = Static<typeof MobileNumberCodeRequest>;

export const MobileNumberCodeSent = Type.Object({
  codeId: Type.String({
    format: 'uuid',
    description: 'Send it back with the code to /identity/verify/mobile-number',
  }),
  expiresAt: Type.String({ format: 'date-time' }),
  resendAfter: Type.String({
    format: 'date-time',
    description: 'The earliest time a new code can be asked for',
  }),
  maxTries: Type.Integer({ description: 'How many times this code can be entered' }),
  sentTo: Type.String({ description: 'The number, masked: 0912***678' }),
});
export type MobileNumberCodeSent = Static<typeof MobileNumberCodeSent>;

export const MobileNumberSignIn = Type.Object(
  {
    codeId: Type.String({ format: 'uuid' }),
    code: Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code from the text message' }),
  },
  { additionalProperties: false },
);

export interface MobileNumberOptions {
  db: Db;
  /** Seals the national ID in each code's row. */
  envelope: Envelope;
  /** The at-rest key ring; the code's HMAC key is derived from its current key (and found again by id). */
  keyRing: KeyRing;
  citizenRef: (nationalId: string) => string;
  checks: Required<Pick<IdentityChecks, 'mobileNumber'>>;
  outbox: Pick<Outbox, 'enqueue'>;
  /** How long a code works; 300 s by default. */
  codeSeconds?: number;
  /** Tries per code, right or wrong; 5 by default. */
  maxTries?: number;
  /** Codes per citizen: at least `minIntervalSeconds` apart and at most `perHour` an hour (60 s, 5). */
  resend?: { minIntervalSeconds: number; perHour: number };
  attempts?: AttemptPolicy;
}

type CodeRow = {
  national_id_sealed: string;
  code_hash: Uint8Array;
  key_id: string;
  tries: number;
};

const HOUR_MS = 3_600_000;

/** The number with its middle hidden, to show the citizen where the code went. */
export const maskMobile = (n: string) => `${n.slice(0, 4)}***${n.slice(-3)}`;

/** The mobile-number method: its authenticator (the code step) and the step that sends a code. */
export function createMobileNumberMethod(o: MobileNumberOptions) {
  const { db, envelope, keyRing, citizenRef, checks, outbox } = o;
  const codeMs = (o.codeSeconds ?? 300) * 1000;
  const maxTries = o.maxTries ?? 5;
  const resend = o.resend ?? { minIntervalSeconds: 60, perHour: 5 };
  const idContext = (id: string) => `identity_otp_codes:${id}:national_id`;
  const throttleKey = (nationalId: string) => `otp-send:${citizenRef(nationalId)}`;

  function codeHash(keyId: string, id: string, code: string): Buffer | undefined {
    const key = keyRing.keys[keyId];
    if (!key) return undefined;
    const derived = Buffer.from(hkdfSync('sha256', key, new Uint8Array(0), 'mydata-identity-otp-v1', 32));
    // The row id goes in too, so one code in two rows gives two unrelated hashes.
    return createHmac('sha256', derived).update(`${id}:${code}`).digest();
  }

  /** When the next code may be sent, from the throttle row; `at` or earlier when it may be now. */
  function nextSendAt(
    row:
      | { failures: number; window_started_at: Date | string; locked_until: Date | string | null }
      | undefined,
    at: Date,
  ): Date {
    if (!row) return at;
    const times = [at.getTime()];
    if (row.locked_until) times.push(new Date(row.locked_until).getTime());
    const windowStart = new Date(row.window_started_at).getTime();
    if (windowStart > at.getTime() - HOUR_MS && row.failures >= resend.perHour)
      times.push(windowStart + HOUR_MS);
    return new Date(Math.max(...times));
  }

  const resendLimited = (next: Date, at: Date) =>
    new AppError('identity.otp-resend-limited', {
      retryAfterSeconds: Math.max(1, Math.ceil((next.getTime() - at.getTime()) / 1000)),
    });

  async function throttleRow(key: string, q: Kysely<Database> = db) {
    return q
      .selectFrom('identity_attempts')
      .select(['failures', 'window_started_at', 'locked_until'])
      .where('key', '=', key)
      .executeTakeFirst();
  }

  /**
   * Takes one send from the citizen's allowance in one statement (so two processes cannot both
   * send): the row counts sends in an hour window and holds the earliest next send in locked_until.
   * Returns when the next send may be, or throws when this one may not.
   */
  async function takeSend(tx: Kysely<Database>, key: string, at: Date): Promise<Date> {
    const hourAgo = new Date(at.getTime() - HOUR_MS);
    const next = new Date(at.getTime() + resend.minIntervalSeconds * 1000);
    const taken = await sql<{ failures: number; window_started_at: Date; locked_until: Date }>`
      insert into identity_attempts as a (key, window_started_at, failures, locked_until)
      values (${key}, ${at}::timestamptz, 1, ${next}::timestamptz)
      on conflict (key) do update set
        failures = case when a.window_started_at <= ${hourAgo}::timestamptz then 1 else a.failures + 1 end,
        window_started_at = case when a.window_started_at <= ${hourAgo}::timestamptz then ${at}::timestamptz else a.window_started_at end,
        locked_until = ${next}::timestamptz
      where (a.locked_until is null or a.locked_until <= ${at}::timestamptz)
        and (a.window_started_at <= ${hourAgo}::timestamptz or a.failures < ${resend.perHour})
      returning failures, window_started_at, locked_until`.execute(tx);
    const row = taken.rows[0];
    if (!row) throw resendLimited(nextSendAt(await throttleRow(key, tx), at), at);
    return nextSendAt({ ...row, failures: Number(row.failures) }, at);
  }

  /** Why a code cannot be tried, as the failure to answer with. */
  async function refusal(codeId: string): Promise<VerificationFailure> {
    const row = await db
      .selectFrom('identity_otp_codes')
      .select(['id', 'national_id_sealed', 'tries', 'expires_at', 'closed_reason'])
      .where('id', '=', codeId)
      .executeTakeFirst();
    if (!row)
      return new VerificationFailure(new AppError('identity.otp-expired', { reason: 'unknown or expired' }));
    const nationalId = envelope.openText(row.national_id_sealed, idContext(row.id));
    if (row.closed_reason === 'used')
      return new VerificationFailure(
        new AppError('identity.otp-expired', { reason: 'already used' }),
        nationalId,
      );
    if (row.closed_reason === 'replaced')
      return new VerificationFailure(
        new AppError('identity.otp-expired', { reason: 'replaced by a newer code' }),
        nationalId,
      );
    if (row.tries >= maxTries)
      return new VerificationFailure(new AppError('identity.otp-exhausted', { maxTries }), nationalId);
    return new VerificationFailure(
      new AppError('identity.otp-expired', {
        reason: `expired at ${new Date(row.expires_at).toISOString()}`,
      }),
      nationalId,
    );
  }

  const authenticator: Authenticator = {
    method: 'mobile-number',
    assurance: 'low',
    body: MobileNumberSignIn,
    attempts: o.attempts ?? {
      // Each code allows maxTries guesses and each send needs the agencies' yes, so the lock only
      // stops a long campaign against one citizen; the rate limit slows one client.
      lockout: { max: 10, windowSeconds: 3600, lockSeconds: 3600 },
      rateLimit: { max: 10, windowSeconds: 600 },
    },
    async claimedNationalId(body) {
      const codeId = (body as { codeId?: unknown }).codeId;
      if (typeof codeId !== 'string') return undefined;
      const row = await db
        .selectFrom('identity_otp_codes')
        .select(['id', 'national_id_sealed'])
        .where('id', '=', codeId)
        .executeTakeFirst();
      return row ? envelope.openText(row.national_id_sealed, idContext(row.id)) : undefined;
    },
    async verify(raw, { now: at }) {
      const { codeId, code } = raw as Static<typeof MobileNumberSignIn>;
      // Counting the try and checking it is still allowed is one statement: parallel guesses all count.
      const row: CodeRow | undefined = await db
        .updateTable('identity_otp_codes')
        .set((eb) => ({ tries: eb('tries', '+', 1) }))
        .where('id', '=', codeId)
        .where('closed_at', 'is', null)
        .where('expires_at', '>', at)
        .where('tries', '<', maxTries)
        .returning(['national_id_sealed', 'code_hash', 'key_id', 'tries'])
        .executeTakeFirst();
      if (!row) throw await refusal(codeId);
      const nationalId = envelope.openText(row.national_id_sealed, idContext(codeId));
      const expected = codeHash(row.key_id, codeId, code);
      const stored = Buffer.from(row.code_hash);
      if (!expected || expected.length !== stored.length || !timingSafeEqual(expected, stored)) {
        if (!expected) {
          throw new VerificationFailure(
            new AppError('identity.otp-expired', { reason: 'its key is no longer held' }),
            nationalId,
          );
        }
        throw new VerificationFailure(
          new AppError('identity.otp-incorrect', { triesLeft: Math.max(0, maxTries - row.tries) }),
          nationalId,
        );
      }
      const used = await db
        .updateTable('identity_otp_codes')
        .set({ closed_at: at, closed_reason: 'used' })
        .where('id', '=', codeId)
        .where('closed_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!used)
        throw new VerificationFailure(
          new AppError('identity.otp-expired', { reason: 'already used' }),
          nationalId,
        );
      return { nationalId };
    },
  };

  return {
    authenticator,

    /** The national ID a send request names, when it is a valid one: its failures count against it. */
    claimedNationalId(body: MobileNumberCodeRequest): string | undefined {
      return isValidNationalId(body.nationalId) ? body.nationalId : undefined;
    },

    /**
     * Checks the number and card with the agencies, then stores a new code (replacing any earlier
     * one of the citizen) and queues its SMS in one transaction. Throws a VerificationFailure when
     * the agencies say no, `identity.otp-resend-limited` when a code was sent too recently.
     */
    async sendCode(body: MobileNumberCodeRequest, at: Date): Promise<MobileNumberCodeSent> {
      if (!isValidNationalId(body.nationalId)) {
        throw new VerificationFailure(
          new AppError('identity.verification-failed', { what: '身分證統一編號' }),
        );
      }
      const key = throttleKey(body.nationalId);
      // A first look before the agencies are asked, so a citizen waiting for a resend costs them nothing.
      const waitUntil = nextSendAt(await throttleRow(key), at);
      if (waitUntil > at) throw resendLimited(waitUntil, at);
      const match = await checks.mobileNumber({
        nationalId: body.nationalId,
        mobileNumber: body.mobileNumber,
        nhiCardNumber: body.nhiCardNumber,
      });
      if (!match) {
        throw new VerificationFailure(
          new AppError('identity.verification-failed', {
            what: '手機號碼或健保卡號 (mobile number or NHI card number)',
          }),
          body.nationalId,
        );
      }
      const id = randomUUID();
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const expiresAt = new Date(at.getTime() + codeMs);
      const keyId = keyRing.current;
      const resendAfter = await db.transaction().execute(async (tx) => {
        const next = await takeSend(tx, key, at);
        const ref = citizenRef(body.nationalId);
        await tx
          .updateTable('identity_otp_codes')
          .set({ closed_at: at, closed_reason: 'replaced' })
          .where('citizen_ref', '=', ref)
          .where('closed_at', 'is', null)
          .execute();
        await tx
          .insertInto('identity_otp_codes')
          .values({
            id,
            citizen_ref: ref,
            national_id_sealed: envelope.seal(body.nationalId, idContext(id)),
            code_hash: codeHash(keyId, id, code) as Buffer,
            key_id: keyId,
            created_at: at,
            expires_at: expiresAt,
          })
          .execute();
        await outbox.enqueue(
          {
            channel: 'sms',
            to: body.mobileNumber,
            template: ONE_TIME_CODE_TEMPLATE,
            lang: body.lang ?? 'zh-TW',
            params: { at: at.toISOString(), code, expiresAt: expiresAt.toISOString() },
          },
          tx,
        );
        return next;
      });
      return {
        codeId: id,
        expiresAt: expiresAt.toISOString(),
        resendAfter: resendAfter.toISOString(),
        maxTries,
        sentTo: maskMobile(body.mobileNumber),
      };
    },

    /** Deletes codes past their lifetime; any process may run it. */
    async purge(at: Date): Promise<number> {
      const r = await db.deleteFrom('identity_otp_codes').where('expires_at', '<', at).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export type MobileNumberMethod = ReturnType<typeof createMobileNumberMethod>;
