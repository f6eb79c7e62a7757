/**
 * A multi-person application over the real OAuth flow, the real consent service and demo agencies,
 * driven by `@mydata/sdk` as a service would: the transfer finishes pending, the package endpoint
 * answers 425 with progress, the progress endpoint and the signed webhooks tell where it stands, the
 * access token lives until the invitations expire, and the package arrives once the other party
 * consented — each party's data under its role, with its own pairwise subject.
 */

import { type AppError, pairwiseSubject } from '@mydata/core';
import { findTestPersonas, SERVICE_IDS } from '@mydata/demo';
import { createServiceClient, MyDataProblem } from '@mydata/sdk';
import { generatePlatformKeys } from '@mydata/server';
import { exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsent } from '../packages/server/src/consent/setup.ts';
import { createHarness } from './exchange-harness.ts';
import { createOAuthHarness, type OAuthHarness } from './oauth-harness.ts';

const SERVICE = SERVICE_IDS.disabledParkingPermit;
const DATASETS = ['sfaa.disability-certificate', 'mvdis.vehicle-registration', 'mvdis.driving-licence'];
const PURPOSE = 'https://w3id.org/dpv#ServiceProvision';
const REDIRECT = 'http://127.0.0.1:9/callback';

describe('A multi-person application through the SDK', () => {
  let ex: Awaited<ReturnType<typeof createHarness>>;
  let h: OAuthHarness;
  let client: ReturnType<typeof createServiceClient>;
  let outbox: Parameters<
    NonNullable<Parameters<typeof createOAuthHarness>[0]>['consent'] & object
  >[0]['outbox'];
  let pairwiseKey: Uint8Array;

  beforeAll(async () => {
    ex = await createHarness({ demoAgencies: ['moi-household', 'sfaa', 'mvdis'], populationSize: 200 });
    h = await createOAuthHarness({
      database: ex.database,
      population: ex.population,
      gateway: ex.gateway,
      consent: (c) => {
        outbox = c.outbox;
        pairwiseKey = c.pairwiseKey;
        return openConsent({
          db: c.db,
          gateway: ex.gateway,
          recorder: c.recorder,
          outbox: c.outbox,
          identityRepo: c.identity.repo,
          identity: c.identity.service,
          signingKey: c.signingKey,
          publicUrl: c.issuer,
          pairwiseKey: c.pairwiseKey,
          clients: { get: (id) => c.clients.directory(id) },
          atRest: generatePlatformKeys().atRest,
        });
      },
    });
    const svc = await h.registerService(SERVICE, REDIRECT);
    client = createServiceClient({
      issuer: h.publicUrl,
      clientId: SERVICE,
      signingKey: { ...(await exportJWK(svc.sig.privateKey)), kid: svc.sig.publicJwk.kid, alg: 'ES256' },
      encryptionKey: { ...(await exportJWK(svc.enc.privateKey)), kid: svc.enc.publicJwk.kid },
      redirectUri: REDIRECT,
    });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await ex?.close();
  });

  // Each person signs in once (two methods on first use); later applications reuse the sessions.
  let browsers:
    | { applicant: ReturnType<OAuthHarness['browser']>; owner: ReturnType<OAuthHarness['browser']> }
    | undefined;
  async function signedIn() {
    if (browsers) return browsers;
    const { applicant, owner } = persona();
    const a = h.browser();
    await a.signInHigh(await h.card(applicant.nationalId), applicant);
    const o = h.browser();
    await o.signInHigh(await h.card(owner.nationalId), owner);
    browsers = { applicant: a, owner: o };
    return browsers;
  }

  const persona = () => {
    const p = findTestPersonas(ex.population, 200).find((x) => x.kind === 'disabled-without-car');
    if (!p?.related) throw new Error('no disabled-without-car persona');
    const who = (c: typeof p.citizen) => ({
      nationalId: c.nationalId,
      nhiCardNumber: c.nhiCardNumber,
      householdNumber: c.household.number,
    });
    return { applicant: who(p.citizen), owner: who(p.related) };
  };

  async function webhooks(): Promise<{ event: string; progress?: unknown }[]> {
    const rows = await h.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('channel', '=', 'webhook')
      .orderBy('created_at')
      .execute();
    const out = [];
    for (const row of rows) {
      const { body } = outbox.open(row as never);
      const event = await client.verifyWebhook(body as string);
      out.push({ event: event.event, progress: event.claims.progress });
    }
    return out;
  }

  it('finishes pending, tells the progress, and hands over every party’s data once all consented', async () => {
    const { applicant, owner } = persona();
    const { url, pending } = await client.startTransfer({ datasets: DATASETS, purpose: PURPOSE });
    const browser = (await signedIn()).applicant;
    const consentPage = await browser.follow(url, (u) => u.pathname.startsWith('/consent/'));
    const uid = consentPage.pathname.split('/')[2] as string;
    const view = (await browser.api('GET', `/api/v1/oauth/interactions/${uid}`)).json() as {
      datasets: { id: string }[];
      parties: { role: string; datasets: { id: string }[] }[];
    };
    expect(view.datasets.map((d) => d.id)).toEqual(['sfaa.disability-certificate']);
    expect(view.parties).toMatchObject([
      {
        role: 'vehicle-owner',
        datasets: [{ id: 'mvdis.vehicle-registration' }, { id: 'mvdis.driving-licence' }],
      },
    ]);
    const missing = await browser.api('POST', `/api/v1/oauth/interactions/${uid}/decision`, {
      decision: 'accept',
      datasets: ['sfaa.disability-certificate'],
    });
    expect([missing.statusCode, missing.json().code]).toEqual([400, 'application.parties-required']);
    const decision = await browser.api('POST', `/api/v1/oauth/interactions/${uid}/decision`, {
      decision: 'accept',
      datasets: ['sfaa.disability-certificate'],
      parties: [{ role: 'vehicle-owner', nationalId: owner.nationalId, contact: { mobile: '0912345678' } }],
    });
    expect(decision.statusCode, decision.body).toBe(200);
    const callback = await browser.follow(decision.json().redirectTo, (u) => u.href.startsWith(REDIRECT));

    const result = await client.finishTransfer(callback, pending);
    expect(result.datasets).toEqual([]);
    const handle = result.pending?.handle;
    if (!handle) throw new Error('the transfer did not finish pending');
    expect(result.pending?.progress).toMatchObject({
      status: 'waiting',
      parties: [{ role: 'vehicle-owner', status: 'waiting' }],
    });
    // The access token waits with the application: 72 hours and 10 minutes, not 10 minutes.
    const lifetime = (new Date(handle.tokenExpiresAt).getTime() - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(72 * 3600);
    expect(await client.progress(handle)).toMatchObject({ status: 'waiting' });
    const early = await client.fetchPackage(handle).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(MyDataProblem);
    expect([(early as MyDataProblem).code, (early as MyDataProblem).status]).toEqual([
      'transfer.package-not-ready',
      425,
    ]);
    expect((early as MyDataProblem).extensions.progress).toMatchObject({ status: 'waiting' });

    // The invitation: only the vehicle owner may see and answer it.
    const invitation = await h.db
      .selectFrom('consent_parties')
      .select('id')
      .where('consent_id', '=', result.consentId)
      .where('initiator', '=', false)
      .executeTakeFirstOrThrow();
    const notFound = await browser.api('GET', `/api/v1/invitations/${invitation.id}`);
    expect([notFound.statusCode, notFound.json().code]).toEqual([404, 'application.not-found']);
    const ownerBrowser = (await signedIn()).owner;
    const seen = await ownerBrowser.api('GET', `/api/v1/invitations/${invitation.id}`);
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json()).toMatchObject({
      status: 'waiting',
      role: { role: 'vehicle-owner' },
      inviter: {
        maskedNationalId: `${applicant.nationalId.slice(0, 3)}*****${applicant.nationalId.slice(-2)}`,
      },
      assurance: { sufficient: true },
    });
    expect(typeof seen.json().inviter.name).toBe('string');
    const consented = await ownerBrowser.api('POST', `/api/v1/invitations/${invitation.id}/decision`, {
      decision: 'consent',
    });
    expect([consented.statusCode, consented.json().status], consented.body).toEqual([200, 'consented']);

    expect(await client.progress(handle)).toMatchObject({
      status: 'ready',
      parties: [{ role: 'vehicle-owner', status: 'consented' }],
    });
    const complete = await client.fetchPackage(handle);
    expect(complete.role).toBe('applicant');
    expect(complete.datasets.map((d) => d.datasetId)).toEqual(['sfaa.disability-certificate']);
    expect(complete.datasets[0]?.data).toEqual(
      ex.population.record('sfaa.disability-certificate', applicant.nationalId),
    );
    const ownerRef = h.identity.repo.citizenRef(owner.nationalId);
    expect(complete.parties).toMatchObject([
      {
        role: 'vehicle-owner',
        subject: pairwiseSubject(pairwiseKey, ownerRef, SERVICE),
        datasets: [{ datasetId: 'mvdis.vehicle-registration' }, { datasetId: 'mvdis.driving-licence' }],
      },
    ]);
    expect(complete.parties?.[0]?.datasets[0]?.data).toEqual(
      ex.population.record('mvdis.vehicle-registration', owner.nationalId),
    );
    expect(complete.subject).not.toBe(complete.parties?.[0]?.subject);
    const again = await client.fetchPackage(handle).catch((e: MyDataProblem) => e.status);
    expect(again).toBe(401);

    expect((await webhooks()).map((w) => w.event)).toEqual(['application.progress', 'application.ready']);
  });

  it('ends with application.ended when the vehicle owner declines, and the token then finds nothing', async () => {
    const { owner } = persona();
    const { url, pending } = await client.startTransfer({ datasets: DATASETS, purpose: PURPOSE });
    const browser = (await signedIn()).applicant;
    const consentPage = await browser.follow(url, (u) => u.pathname.startsWith('/consent/'));
    const uid = consentPage.pathname.split('/')[2] as string;
    const decision = await browser.api('POST', `/api/v1/oauth/interactions/${uid}/decision`, {
      decision: 'accept',
      datasets: ['sfaa.disability-certificate'],
      parties: [
        { role: 'vehicle-owner', nationalId: owner.nationalId, contact: { email: 'owner@example.org' } },
      ],
    });
    const callback = await browser.follow(decision.json().redirectTo, (u) => u.href.startsWith(REDIRECT));
    const result = await client.finishTransfer(callback, pending);
    const handle = result.pending?.handle;
    if (!handle) throw new Error('the transfer did not finish pending');
    const invitation = await h.db
      .selectFrom('consent_parties')
      .select('id')
      .where('consent_id', '=', result.consentId)
      .where('initiator', '=', false)
      .executeTakeFirstOrThrow();
    const ownerBrowser = (await signedIn()).owner;
    const declined = await ownerBrowser.api('POST', `/api/v1/invitations/${invitation.id}/decision`, {
      decision: 'decline',
    });
    expect(declined.json().status).toBe('declined');
    const events = await webhooks();
    expect(events.at(-1)).toMatchObject({
      event: 'application.ended',
      progress: { status: 'ended', parties: [{ role: 'vehicle-owner', status: 'declined' }] },
    });
    // The grant went with the application: the token is revoked.
    const gone = await client.fetchPackage(handle).catch((e: AppError | MyDataProblem) => e);
    expect((gone as MyDataProblem).status).toBe(401);
  });
});
