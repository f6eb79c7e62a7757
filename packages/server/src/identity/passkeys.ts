/**
 * The mobile citizen certificate (行動自然人憑證) as a FIDO2/WebAuthn passkey, verified with
 * @simplewebauthn/server. A passkey is enrolled only from a high-assurance session (it inherits its
 * strength from the certificate sign-in that vouched for it) and signs in at high.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '@mydata/core';
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { Type } from 'typebox';
import type { Db } from '../db/database.ts';
import type { UsageRecorder } from '../log/record.ts';
import { type Authenticator, VerificationFailure } from './authenticators.ts';
import type { IdentityRepo } from './repository.ts';

const b64url = Type.String({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 20_000 });
const Credential = (response: ReturnType<typeof Type.Object>) =>
  Type.Object(
    {
      id: b64url,
      rawId: b64url,
      type: Type.Literal('public-key'),
      response,
      clientExtensionResults: Type.Object({}, { additionalProperties: true }),
      authenticatorAttachment: Type.Optional(Type.String({ maxLength: 20 })),
    },
    { additionalProperties: false },
  );

export const PasskeyRegistration = Type.Object(
  {
    challengeId: Type.String({ format: 'uuid' }),
    credential: Credential(
      Type.Object(
        {
          clientDataJSON: b64url,
          attestationObject: b64url,
          transports: Type.Optional(Type.Array(Type.String())),
        },
        { additionalProperties: true },
      ),
    ),
  },
  { additionalProperties: false },
);

export const PasskeySignIn = Type.Object(
  {
    challengeId: Type.String({ format: 'uuid' }),
    credential: Credential(
      Type.Object(
        {
          clientDataJSON: b64url,
          authenticatorData: b64url,
          signature: b64url,
          userHandle: Type.Optional(b64url),
        },
        { additionalProperties: true },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Passkey storage: one row per credential, keyed by its credential id. */
export function createPasskeyRepo(db: Db) {
  return {
    async add(p: {
      id: string;
      citizenId: string;
      publicKey: Uint8Array;
      counter: number;
      transports: string[];
      at: Date;
    }) {
      await db
        .insertInto('identity_passkeys')
        .values({
          id: p.id,
          citizen_id: p.citizenId,
          public_key: p.publicKey,
          counter: p.counter,
          transports: JSON.stringify(p.transports),
          created_at: p.at,
        })
        .execute();
    },
    async find(id: string) {
      return db.selectFrom('identity_passkeys').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async list(citizenId: string) {
      return db
        .selectFrom('identity_passkeys')
        .select(['id', 'transports', 'created_at', 'last_used_at'])
        .where('citizen_id', '=', citizenId)
        .orderBy('created_at')
        .execute();
    },
    async used(id: string, counter: number, at: Date) {
      await db
        .updateTable('identity_passkeys')
        .set({ counter, last_used_at: at })
        .where('id', '=', id)
        .execute();
    },
    async remove(citizenId: string, id: string): Promise<boolean> {
      const row = await db
        .deleteFrom('identity_passkeys')
        .where('id', '=', id)
        .where('citizen_id', '=', citizenId)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
export type PasskeyRepo = ReturnType<typeof createPasskeyRepo>;

export interface PasskeyMethodOptions {
  db: Db;
  repo: IdentityRepo;
  recorder: UsageRecorder;
  publicUrl: string;
  challengeSeconds?: number;
}

/** The passkey authenticator, plus enrolment, listing and removal for the signed-in citizen. */
export function createPasskeyMethod(o: PasskeyMethodOptions) {
  const passkeys = createPasskeyRepo(o.db);
  const origin = new URL(o.publicUrl).origin;
  const rpID = new URL(o.publicUrl).hostname;
  const lifetime = (o.challengeSeconds ?? 120) * 1000;
  const reject = (reason: string, nationalId?: string) =>
    new VerificationFailure(new AppError('identity.passkey-rejected', { reason }), nationalId);

  async function newChallenge(now: Date) {
    const nonce = randomBytes(32).toString('base64url');
    const challengeId = await o.repo.createChallenge({
      nonce,
      expiresAt: new Date(now.getTime() + lifetime),
    });
    return { challengeId, nonce };
  }

  async function consume(challengeId: string, now: Date, nationalId?: string) {
    const c = await o.repo.consumeChallenge(challengeId, now);
    if (!c.ok) {
      const reason = { unknown: 'is unknown', used: 'has already been used', expired: 'has expired' }[
        c.reason
      ];
      throw new VerificationFailure(new AppError('identity.challenge-invalid', { reason }), nationalId);
    }
    return c.nonce;
  }

  const authenticator: Authenticator = {
    method: 'mobile-certificate',
    assurance: 'high',
    body: PasskeySignIn,
    needsEnrolment: true,
    async verify(raw, { now }) {
      const body = raw as { challengeId: string; credential: AuthenticationResponseJSON };
      const stored = await passkeys.find(body.credential.id);
      if (!stored) {
        await consume(body.challengeId, now);
        throw reject('this passkey is not enrolled');
      }
      const nationalId = await o.repo.nationalIdOf(stored.citizen_id);
      const nonce = await consume(body.challengeId, now, nationalId);
      let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        result = await verifyAuthenticationResponse({
          response: body.credential,
          expectedChallenge: nonce,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: true,
          credential: {
            id: stored.id,
            publicKey: new Uint8Array(stored.public_key),
            counter: Number(stored.counter),
            transports: stored.transports as AuthenticatorTransport[],
          },
        });
      } catch (error) {
        throw reject((error as Error).message.slice(0, 200), nationalId);
      }
      if (!result.verified) throw reject('the signature does not verify', nationalId);
      await passkeys.used(stored.id, result.authenticationInfo.newCounter, now);
      return { nationalId };
    },
  };

  return {
    authenticator,
    passkeys,

    /** Options for navigator.credentials.get(): any passkey of this platform (discoverable). */
    async authenticationOptions(now: Date) {
      const { challengeId, nonce } = await newChallenge(now);
      const options = await generateAuthenticationOptions({
        rpID,
        challenge: Buffer.from(nonce, 'base64url'),
        userVerification: 'required',
        timeout: lifetime,
      });
      // The JSON form goes to the browser as it is; the route's schema only types it loosely.
      return { challengeId, options: options as unknown as Record<string, unknown> };
    },

    /** Options for navigator.credentials.create(), for the signed-in citizen. */
    async registrationOptions(citizenId: string, now: Date) {
      const account = await o.repo.getCitizen(citizenId);
      if (!account) throw new AppError('identity.not-signed-in', { reason: 'no account' });
      const existing = await passkeys.list(citizenId);
      const { challengeId, nonce } = await newChallenge(now);
      const options = await generateRegistrationOptions({
        rpName: 'MyData 個人化資料自主運用平臺',
        rpID,
        // The pairwise-free account id; the national ID never goes to an authenticator.
        userID: Buffer.from(citizenId, 'utf8'),
        userName: `mydata-${citizenId.slice(0, 8)}`,
        userDisplayName: 'MyData',
        challenge: Buffer.from(nonce, 'base64url'),
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({
          id: p.id,
          transports: p.transports as AuthenticatorTransport[],
        })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        supportedAlgorithmIDs: [-7],
        timeout: lifetime,
      });
      // The JSON form goes to the browser as it is; the route's schema only types it loosely.
      return { challengeId, options: options as unknown as Record<string, unknown> };
    },

    /** Verifies a new passkey and stores it; logs and notifies the enrolment. */
    async register(
      citizenId: string,
      body: { challengeId: string; credential: RegistrationResponseJSON },
      now: Date,
    ) {
      const nationalId = await o.repo.nationalIdOf(citizenId);
      const nonce = await consume(body.challengeId, now, nationalId).catch((e: unknown) => {
        throw e instanceof VerificationFailure ? e.error : e;
      });
      let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        result = await verifyRegistrationResponse({
          response: body.credential,
          expectedChallenge: nonce,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: true,
          supportedAlgorithmIDs: [-7],
        });
      } catch (error) {
        throw new AppError('identity.passkey-rejected', { reason: (error as Error).message.slice(0, 200) });
      }
      if (!result.verified || !result.registrationInfo) {
        throw new AppError('identity.passkey-rejected', { reason: 'the attestation does not verify' });
      }
      const { credential } = result.registrationInfo;
      await passkeys.add({
        id: credential.id,
        citizenId,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: credential.transports ?? [],
        at: now,
      });
      await o.db.transaction().execute(async (tx) => {
        await o.repo.recordVerification(tx, nationalId, ['mobile-certificate'], now);
        const notify = await o.repo.recipientsOf(citizenId, tx);
        await o.recorder.record(
          {
            citizenId: nationalId,
            event: 'method-enrolled',
            outcome: 'success',
            occurredAt: now,
            details: { method: 'mobile-certificate', passkey: credential.id.slice(0, 16) },
          },
          {
            tx,
            ...(notify ? { notify } : {}),
          },
        );
      });
      return { id: credential.id, createdAt: now.toISOString() };
    },

    async list(citizenId: string) {
      return (await passkeys.list(citizenId)).map((p) => ({
        id: p.id,
        createdAt: new Date(p.created_at).toISOString(),
        lastUsedAt: p.last_used_at ? new Date(p.last_used_at).toISOString() : null,
      }));
    },

    /** Removes one of the citizen's passkeys; logs the removal. */
    async remove(citizenId: string, id: string, now: Date) {
      if (!(await passkeys.remove(citizenId, id))) throw new AppError('identity.passkey-not-found', { id });
      // Without a passkey the method can no longer be offered for step-up.
      if ((await passkeys.list(citizenId)).length === 0)
        await o.repo.removeMethod(citizenId, 'mobile-certificate');
      await o.recorder.record({
        citizenId: await o.repo.nationalIdOf(citizenId),
        event: 'method-removed',
        outcome: 'success',
        occurredAt: now,
        details: { method: 'mobile-certificate', passkey: id.slice(0, 16) },
      });
    },
  };
}

export type PasskeyMethod = ReturnType<typeof createPasskeyMethod>;
