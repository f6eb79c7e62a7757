import { readFileSync } from 'node:fs';
import { createLocalJWKSet, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TransferError } from './errors.ts';
import { type PackageVerification, verifyPackage } from './package.ts';
import { createPackageFixture, type FixtureDataset, type PackageFixture } from './testing.ts';

const INCOME: FixtureDataset = {
  datasetId: 'mof-fia.income',
  agencyId: 'mof-fia',
  payload: { nationalId: 'A123456789', name: '王小明', taxYear: 2025, totalIncome: 620000, items: [] },
};
const HOUSEHOLD: FixtureDataset = {
  datasetId: 'moi-household.household-registration',
  agencyId: 'moi-household',
  payload: { householdNumber: 'F1234567', address: '臺北市大安區', members: [{ name: '王小明' }] },
};

describe('Data package verification', () => {
  let f: PackageFixture;
  let verification: PackageVerification;
  beforeAll(async () => {
    f = await createPackageFixture({ agencyIds: ['mof-fia', 'moi-household'] });
    const doc = f.agencyKeysDocument();
    verification = {
      issuer: f.issuer,
      clientId: f.clientId,
      decryptionKey: (await importJWK(f.service.encryptionKey, 'ECDH-ES+A256KW')) as never,
      decryptionKeyId: f.service.encryptionKey.kid,
      platformKeys: createLocalJWKSet({ keys: [f.platform.publicJwk] }),
      agencyKeys: async (id) => doc.items.find((i) => i.agencyId === id)?.jwks,
      requestedDatasets: [INCOME.datasetId, HOUSEHOLD.datasetId],
      purpose: 'https://w3id.org/dpv#CreditChecking',
    };
  });

  it('accepts a good package and returns each dataset with its agency verified', async () => {
    const result = await verifyPackage(await f.build([INCOME, HOUSEHOLD]), verification);
    expect(result).toMatchObject({
      subject: 'pairwise-subject-1',
      consentId: 'consent-1',
      serviceId: f.clientId,
      purpose: 'https://w3id.org/dpv#CreditChecking',
      mode: 'online',
    });
    expect(result.datasets.map((d) => [d.datasetId, d.agencyId, d.agencySignatureVerified])).toEqual([
      [INCOME.datasetId, 'mof-fia', true],
      [HOUSEHOLD.datasetId, 'moi-household', true],
    ]);
    expect(result.datasets[0]?.data).toEqual(INCOME.payload);
    expect(result.datasets[0]?.agencyKeyId).toBe(f.agencies.get('mof-fia')?.publicJwk.kid);
  });

  const refusals: [string, Parameters<PackageFixture['build']>[1], RegExp][] = [
    ['a tampered platform JWS payload', { tamperJws: true }, /platform signature/],
    [
      'data changed after the agency signed it',
      { data: (_id, d) => ({ ...d, totalIncome: 9_999_999 }) },
      /differs/,
    ],
    ['a wrong agency signature', { foreignAgencyKey: true }, /signature of agency mof-fia/],
    ['a body hash mismatch', { swapBody: true }, /not the one agency mof-fia signed/],
    ['a request hash mismatch', { swapRequest: true }, /another request/],
    ['a wrong audience', { audience: 'landbank.counter-account-opening' }, /platform signature or claims/],
    ['a wrong issuer', { issuer: 'http://evil.example' }, /platform signature or claims/],
    ['an expired package', { expiresInSeconds: -120 }, /platform signature or claims/],
    ['an unknown platform kid', { foreignPlatformKey: true }, /platform signature/],
    [
      'another JOSE typ (a receipt passed off as a package)',
      { typ: 'mydata-consent-receipt+jwt' },
      /platform/,
    ],
    ['a package encrypted to another service', { foreignEncryptionKey: true }, /decrypt/],
    ['another purpose', { purpose: 'https://w3id.org/dpv#Marketing' }, /purpose/],
    ['another service named inside', { claims: { service: 'boca.passport-renewal' } }, /service/],
    ['no consent', { claims: { consent: null } }, /consent/],
  ];
  for (const [what, tweaks, reason] of refusals) {
    it(`refuses ${what}`, async () => {
      const error = await verifyPackage(await f.build([INCOME, HOUSEHOLD], tweaks), verification).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TransferError);
      expect(error).toMatchObject({ code: 'transfer.package-refused' });
      expect((error as Error).message).toMatch(reason);
    });
  }

  it('names the agency whose signature failed', async () => {
    const error = await verifyPackage(
      await f.build([INCOME], { foreignAgencyKey: true }),
      verification,
    ).catch((e: TransferError) => e);
    expect(error).toMatchObject({ agencyId: 'mof-fia', datasetId: INCOME.datasetId });
  });

  it('refuses a dataset the service did not ask for', async () => {
    const error = await verifyPackage(await f.build([INCOME, HOUSEHOLD]), {
      ...verification,
      requestedDatasets: [INCOME.datasetId],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'transfer.package-refused', datasetId: HOUSEHOLD.datasetId });
  });

  it('refuses an agency the platform publishes no keys for, after asking again', async () => {
    const asked: boolean[] = [];
    const error = await verifyPackage(await f.build([INCOME]), {
      ...verification,
      agencyKeys: async (_id, refresh) => {
        asked.push(refresh);
        return undefined;
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'transfer.package-refused', agencyId: 'mof-fia' });
    expect(asked).toEqual([false, true]);
  });

  it('verifies with an agency key fetched again after a rotation', async () => {
    const stale = { keys: [f.agencies.get('moi-household')?.publicJwk as never] };
    const fresh = f.agencyKeysDocument();
    const result = await verifyPackage(await f.build([INCOME]), {
      ...verification,
      agencyKeys: async (id, refresh) => (refresh ? fresh.items.find((i) => i.agencyId === id)?.jwks : stale),
    });
    expect(result.datasets).toHaveLength(1);
  });

  it('refuses a package under another consent or about another subject than the token names', async () => {
    const jwe = await f.build([INCOME]);
    await expect(verifyPackage(jwe, { ...verification, consentId: 'consent-2' })).rejects.toThrow(/consent/);
    await expect(verifyPackage(jwe, { ...verification, subject: 'someone-else' })).rejects.toThrow(/subject/);
    await expect(
      verifyPackage(jwe, { ...verification, consentId: 'consent-1', subject: 'pairwise-subject-1' }),
    ).resolves.toMatchObject({ consentId: 'consent-1' });
  });
});

describe('The package test vectors of docs/package.md', () => {
  const v = JSON.parse(readFileSync('docs/package-test-vectors.json', 'utf8')) as {
    at: string;
    issuer: string;
    clientId: string;
    platformJwks: { keys: JWK[] };
    servicePrivateEncryptionJwk: JWK;
    agencyKeys: { items: { agencyId: string; jwks: { keys: JWK[] } }[] };
    packageJwe: string;
    packageClaims: { consent: { id: string }; datasets: { datasetId: string; data: unknown }[] };
  };

  it('verify with the SDK as a service would, at the time they were made', async () => {
    const result = await verifyPackage(v.packageJwe, {
      issuer: v.issuer,
      clientId: v.clientId,
      decryptionKey: (await importJWK(v.servicePrivateEncryptionJwk, 'ECDH-ES+A256KW')) as never,
      decryptionKeyId: v.servicePrivateEncryptionJwk.kid,
      platformKeys: createLocalJWKSet(v.platformJwks as never),
      agencyKeys: async (id) => v.agencyKeys.items.find((i) => i.agencyId === id)?.jwks,
      consentId: v.packageClaims.consent.id,
      now: () => new Date(v.at),
    });
    expect(result.consentId).toBe(v.packageClaims.consent.id);
    expect(result.datasets.map((d) => [d.datasetId, d.data, d.agencySignatureVerified])).toEqual(
      v.packageClaims.datasets.map((d) => [d.datasetId, d.data, true]),
    );
  });
});
