import { AppError } from '@mydata/core';
import { calculateJwkThumbprint } from 'jose';
import { sql } from 'kysely';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import type { Db } from '../db/database.ts';

/** What the platform knows about one data-provider agency to exchange messages with it. */
export const AgencyRegistration = Type.Object(
  {
    agencyId: Type.String({ minLength: 2, maxLength: 80 }),
    baseUrl: Type.String({ pattern: '^https://[^/?#]+$', description: 'https://host:port, no path' }),
    tlsSpkiSha256: Type.Array(Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' }), {
      minItems: 1,
      maxItems: 4,
      description: 'SPKI pins (base64 SHA-256) of the server certificate; several during a key rollover',
    }),
    jwks: Type.Object({
      keys: Type.Array(
        Type.Object(
          {
            kty: Type.Literal('EC'),
            crv: Type.Literal('P-256'),
            x: Type.String({ minLength: 43, maxLength: 43 }),
            y: Type.String({ minLength: 43, maxLength: 43 }),
            kid: Type.Optional(Type.String({ maxLength: 100 })),
            alg: Type.Optional(Type.Literal('ES256')),
            use: Type.Optional(Type.Literal('sig')),
          },
          // A private key (`d`) registered by mistake is refused rather than stored.
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 4 },
      ),
    }),
    timeoutMs: Type.Integer({ minimum: 10, maximum: 120_000, default: 5000 }),
    maxConcurrency: Type.Integer({ minimum: 1, maximum: 1000, default: 16 }),
  },
  { additionalProperties: false },
);
export type AgencyRegistration = Static<typeof AgencyRegistration>;
export type AgencyRegistrationInput = Omit<AgencyRegistration, 'timeoutMs' | 'maxConcurrency'> &
  Partial<Pick<AgencyRegistration, 'timeoutMs' | 'maxConcurrency'>>;

/** A stored registration with the version each change bumps. */
export interface StoredAgencyRegistration extends AgencyRegistration {
  version: number;
}

/** The agency registry: where each data provider is, how to recognise its certificate and signatures. */
export function createAgencyRegistry(db: Db) {
  const columns = [
    'agency_id',
    'base_url',
    'tls_spki_sha256',
    'jwks',
    'timeout_ms',
    'max_concurrency',
    'version',
  ] as const;
  const toRegistration = (r: {
    agency_id: string;
    base_url: string;
    tls_spki_sha256: string[];
    jwks: { keys: Record<string, unknown>[] };
    timeout_ms: number;
    max_concurrency: number;
    version: number;
  }): StoredAgencyRegistration => ({
    agencyId: r.agency_id,
    baseUrl: r.base_url,
    tlsSpkiSha256: r.tls_spki_sha256,
    jwks: r.jwks as AgencyRegistration['jwks'],
    timeoutMs: r.timeout_ms,
    maxConcurrency: r.max_concurrency,
    version: r.version,
  });

  return {
    /** Adds or replaces an agency's registration; the agency must be an organisation of the catalogue. */
    async register(
      input: AgencyRegistrationInput | StoredAgencyRegistration,
    ): Promise<StoredAgencyRegistration> {
      // A stored registration may be passed back changed; its version is ours to bump, not the caller's.
      const { version: _version, ...fields } = input as StoredAgencyRegistration;
      const reg = Value.Default(AgencyRegistration, structuredClone(fields)) as AgencyRegistration;
      const issues = [...Value.Errors(AgencyRegistration, reg)].map((e) => ({
        pointer: `/body${e.instancePath}`,
        message: e.message,
      }));
      if (issues.length > 0) {
        throw new AppError(
          'request.invalid',
          { summary: issues.map((i) => `${i.pointer} ${i.message}`).join('; ') },
          issues,
        );
      }
      const org = await db
        .selectFrom('organisations')
        .select('id')
        .where('id', '=', reg.agencyId)
        .executeTakeFirst();
      if (!org) throw new AppError('catalogue.organisation-not-found', { id: reg.agencyId });
      const values = {
        base_url: reg.baseUrl,
        tls_spki_sha256: JSON.stringify(reg.tlsSpkiSha256),
        jwks: JSON.stringify(reg.jwks),
        timeout_ms: reg.timeoutMs,
        max_concurrency: reg.maxConcurrency,
      };
      const keys = await Promise.all(
        reg.jwks.keys.map(async (k) => ({
          agency_id: reg.agencyId,
          kid: await calculateJwkThumbprint(k),
          jwk: JSON.stringify(k),
        })),
      );
      const row = await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('exchange_agency_keys')
          .values(keys)
          .onConflict((oc) => oc.columns(['agency_id', 'kid']).doNothing())
          .execute();
        return tx
          .insertInto('exchange_agencies')
          .values({ agency_id: reg.agencyId, ...values })
          .onConflict((oc) =>
            oc.column('agency_id').doUpdateSet({
              ...values,
              version: sql<number>`exchange_agencies.version + 1`,
              updated_at: sql`now()`,
            }),
          )
          .returning(columns)
          .executeTakeFirstOrThrow();
      });
      return toRegistration(row);
    },

    /** One agency's registration, or undefined when it has none. */
    async get(agencyId: string): Promise<StoredAgencyRegistration | undefined> {
      const row = await db
        .selectFrom('exchange_agencies')
        .select(columns)
        .where('agency_id', '=', agencyId)
        .executeTakeFirst();
      return row ? toRegistration(row) : undefined;
    },

    /** Registrations of the given agencies (those that have one). */
    async getMany(agencyIds: string[]): Promise<StoredAgencyRegistration[]> {
      if (agencyIds.length === 0) return [];
      const rows = await db
        .selectFrom('exchange_agencies')
        .select(columns)
        .where('agency_id', 'in', agencyIds)
        .execute();
      return rows.map(toRegistration);
    },

    /** Every registration, by agency id. */
    async list(): Promise<StoredAgencyRegistration[]> {
      const rows = await db.selectFrom('exchange_agencies').select(columns).orderBy('agency_id').execute();
      return rows.map(toRegistration);
    },

    /** Every public key the agency ever registered (current and rotated out), to verify old log entries. */
    async keyHistory(
      agencyId: string,
    ): Promise<{ kid: string; jwk: Record<string, unknown>; registeredAt: Date }[]> {
      const rows = await db
        .selectFrom('exchange_agency_keys')
        .select(['kid', 'jwk', 'registered_at'])
        .where('agency_id', '=', agencyId)
        .orderBy('registered_at')
        .orderBy('kid')
        .execute();
      return rows.map((r) => ({
        kid: r.kid,
        jwk: r.jwk,
        registeredAt: new Date(r.registered_at as unknown as string),
      }));
    },

    /** Removes an agency's registration; its message-log entries and key history stay. */
    async remove(agencyId: string): Promise<boolean> {
      const r = await db.deleteFrom('exchange_agencies').where('agency_id', '=', agencyId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export type AgencyRegistry = ReturnType<typeof createAgencyRegistry>;
