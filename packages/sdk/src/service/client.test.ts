import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyDataProblem } from '../problem.ts';
import { createServiceClient, type ServiceClient } from './client.ts';
import { TransferError } from './errors.ts';
import { createPackageFixture, type PackageFixture, startFakePlatform } from './testing.ts';

const INCOME = {
  datasetId: 'mof-fia.income',
  agencyId: 'mof-fia',
  payload: { nationalId: 'A123456789', name: '王小明', taxYear: 2025, totalIncome: 620000, items: [] },
};
const PURPOSE = 'https://w3id.org/dpv#CreditChecking';
const REDIRECT = 'http://localhost:3000/callback';

describe('The service client', () => {
  let f: PackageFixture;
  let platform: Awaited<ReturnType<typeof startFakePlatform>>;
  let client: ServiceClient;
  beforeAll(async () => {
    platform = await startFakePlatform(() => f, { purpose: PURPOSE, datasets: [INCOME] });
    f = await createPackageFixture({ issuer: platform.issuer, agencyIds: ['mof-fia'] });
    client = createServiceClient({
      issuer: platform.issuer,
      clientId: f.clientId,
      signingKey: f.service.signingKey,
      encryptionKey: f.service.encryptionKey,
      redirectUri: REDIRECT,
    });
  });
  afterAll(() => platform.close());

  it('runs PAR, the callback, the DPoP-bound token and package fetch, and verifies the package', async () => {
    const { url, pending } = await client.startTransfer({ datasets: [INCOME.datasetId], purpose: PURPOSE });
    expect(new URL(url).searchParams.get('client_id')).toBe(f.clientId);
    expect(JSON.parse(JSON.stringify(pending))).toEqual(pending);
    const result = await client.finishTransfer(platform.authorize(url), pending);
    expect(platform.seen.dpopAtPackage).toBe(true);
    expect(result.subject).toBe('pairwise-subject-1');
    expect(result.datasets[0]).toMatchObject({ datasetId: INCOME.datasetId, agencySignatureVerified: true });
    expect(result.datasets[0]?.data).toEqual(INCOME.payload);
  });

  it('passes on the platform problem when the package was already taken', async () => {
    const { url, pending } = await client.startTransfer({ datasets: [INCOME.datasetId], purpose: PURPOSE });
    const callback = platform.authorize(url);
    await client.finishTransfer(callback, pending);
    const error = await client.finishTransfer(callback, pending).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MyDataProblem);
    expect(error).toMatchObject({ code: 'transfer.package-gone', status: 410 });
  });

  it('reports a decline as transfer.declined', async () => {
    const { url, pending } = await client.startTransfer({ datasets: [INCOME.datasetId], purpose: PURPOSE });
    const error = await client
      .finishTransfer(platform.authorize(url, 'decline'), pending)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransferError);
    expect(error).toMatchObject({ code: 'transfer.declined', oauthError: 'access_denied' });
  });

  it('refuses a callback of another session, another issuer, or none', async () => {
    const a = await client.startTransfer({ datasets: [INCOME.datasetId], purpose: PURPOSE });
    const b = await client.startTransfer({ datasets: [INCOME.datasetId], purpose: PURPOSE });
    const callback = platform.authorize(a.url);
    await expect(client.finishTransfer(callback, b.pending)).rejects.toMatchObject({
      code: 'transfer.invalid-callback',
    });
    const mixedUp = new URL(callback);
    mixedUp.searchParams.set('iss', 'https://other-platform.example');
    await expect(client.finishTransfer(mixedUp, a.pending)).rejects.toMatchObject({
      code: 'transfer.invalid-callback',
    });
    const noIss = new URL(callback);
    noIss.searchParams.delete('iss');
    await expect(client.finishTransfer(noIss, a.pending)).rejects.toMatchObject({
      code: 'transfer.invalid-callback',
    });
  });

  it('passes on a refused authorization request with the OAuth error', async () => {
    const error = await client
      .startTransfer({ datasets: [INCOME.datasetId], purpose: 'https://w3id.org/dpv#Marketing' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MyDataProblem);
    expect(error).toMatchObject({ code: 'invalid_authorization_details', detail: 'purpose not approved' });
  });

  it('verifies webhooks signed by the platform for this service only', async () => {
    const event = await client.verifyWebhook(
      await f.webhook({ event: 'consent.withdrawn', consentId: 'c-1', sub: 's' }),
    );
    expect(event).toMatchObject({ event: 'consent.withdrawn', consentId: 'c-1', subject: 's' });
    for (const bad of [
      await f.webhook(
        { event: 'consent.withdrawn', consentId: 'c-1' },
        { audience: 'boca.passport-renewal' },
      ),
      await f.webhook({ event: 'consent.withdrawn', consentId: 'c-1' }, { foreignKey: true }),
      'not a jws',
    ])
      await expect(client.verifyWebhook(bad)).rejects.toMatchObject({ code: 'webhook.invalid-signature' });
  });

  it('refuses a token that names no consent, before taking the package', async () => {
    const strict = await startFakePlatform(() => f, {
      purpose: PURPOSE,
      datasets: [INCOME],
      grantWithoutConsent: true,
    });
    try {
      const c = createServiceClient({
        issuer: strict.issuer,
        clientId: f.clientId,
        signingKey: f.service.signingKey,
        encryptionKey: f.service.encryptionKey,
        redirectUri: REDIRECT,
      });
      const { url, pending } = await c.startTransfer({ datasets: [INCOME.datasetId], purpose: PURPOSE });
      await expect(c.finishTransfer(strict.authorize(url), pending)).rejects.toMatchObject({
        code: 'transfer.token-failed',
      });
    } finally {
      await strict.close();
    }
  });

  it('refuses an issuer that is plain http beyond this machine', () => {
    expect(() =>
      createServiceClient({
        issuer: 'http://mydata.example.gov.tw',
        clientId: f.clientId,
        signingKey: f.service.signingKey,
        encryptionKey: f.service.encryptionKey,
        redirectUri: REDIRECT,
      }),
    ).toThrow(/https/);
  });
});
