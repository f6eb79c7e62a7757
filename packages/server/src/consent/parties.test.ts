/**
 * Multi-person applications on the consent service: every state an application can be in — waiting,
 * ready, taken, declined, expired, withdrawn by the applicant — and who may answer an invitation.
 */
import {
  type AppError,
  nationalIdCheckDigit,
  PACKAGE_JWS_TYPE,
  type PackageClaims,
  pairwiseSubject,
} from '@mydata/core';
import { compactDecrypt, createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureCatalogue } from '../catalogue/fixtures.ts';
import { createCatalogueRepo } from '../catalogue/repository.ts';
import { createParties, maskNationalId, type Parties } from './parties.ts';
import {
  createConsentFixture,
  HOUSEHOLD,
  INCOME,
  ISSUER,
  NATIONAL_ID,
  PURPOSE,
  SERVICE_ID,
} from './testing.ts';

const JOINT = 'firstbank.joint-loan';
const withCheck = (first9: string) => `${first9}${nationalIdCheckDigit(first9)}`;
const GUARANTOR_ID = withCheck('F12345678');
const STRANGER_ID = withCheck('H22345678');

type Fixture = Awaited<ReturnType<typeof createConsentFixture>>;

describe('Multi-person applications', () => {
  let f: Fixture;
  let parties: Parties;
  const clock = { now: new Date('2026-03-01T00:00:00Z') };

  beforeEach(async () => {
    clock.now = new Date('2026-03-01T00:00:00Z');
    f = await createConsentFixture({ clock, serviceId: JOINT });
    const catalogue = fixtureCatalogue();
    const loan = catalogue.services.find((s) => s.id === SERVICE_ID);
    if (!loan) throw new Error('no fixture loan service');
    catalogue.services.push({
      ...loan,
      id: JOINT,
      parties: [
        {
          role: 'applicant',
          name: { 'zh-TW': '申請人', en: 'Applicant' },
          datasets: [INCOME],
          initiator: true,
        },
        { role: 'guarantor', name: { 'zh-TW': '保證人', en: 'Guarantor' }, datasets: [HOUSEHOLD] },
      ],
    });
    await createCatalogueRepo(f.db).importCatalogue(catalogue);
    parties = createParties({
      db: f.db,
      consent: f.service,
      catalogue: createCatalogueRepo(f.db),
      gateway: f.gateway,
      recorder: f.recorder,
      outbox: f.outbox,
      identityRepo: f.identity.repo,
      atRest: f.keys.atRest,
      pairwiseKey: f.pairwiseKey,
      publicUrl: ISSUER,
      nameOf: async () => '王小明',
      now: () => new Date(clock.now),
    });
  });
  afterEach(async () => {
    await f.identity.stop();
    await f.close();
  });

  const detail = { type: 'mydata' as const, datasets: [INCOME, HOUSEHOLD], purpose: PURPOSE, mode: 'online' };
  const nominate = (nationalId = GUARANTOR_ID) => [
    { role: 'guarantor', nationalId, contact: { email: 'guarantor@example.org' } },
  ];
  async function apply(named = nominate()) {
    const { citizenId } = await f.signIn(NATIONAL_ID);
    const result = await f.service.accept({
      citizenId,
      serviceId: JOINT,
      detail,
      chosen: [INCOME],
      assurance: 'high',
      methods: ['citizen-certificate'],
      parties: named,
    });
    return { citizenId, result };
  }
  async function outboxRows(template?: string) {
    let q = f.db.selectFrom('notification_outbox').selectAll();
    if (template) q = q.where('template', '=', template);
    return q.execute();
  }
  const webhookEvents = async () =>
    (
      await f.db
        .selectFrom('notification_outbox')
        .select('template')
        .where('channel', '=', 'webhook')
        .execute()
    ).map((r) => r.template);
  async function invitationId(consentId: string) {
    const row = await f.db
      .selectFrom('consent_parties')
      .select('id')
      .where('consent_id', '=', consentId)
      .where('initiator', '=', false)
      .executeTakeFirstOrThrow();
    return row.id;
  }
  const guarantor = async (id = GUARANTOR_ID) => {
    const { citizenId } = await f.signIn(id);
    return { citizenId, assurance: 'high' as const, methods: ['citizen-certificate'] };
  };

  it('shows the applicant only their own datasets and asks for the other parties', async () => {
    const screen = await f.service.describeRequest(detail, JOINT);
    expect(screen.datasets.map((d) => d.id)).toEqual([INCOME]);
    expect(screen.role).toMatchObject({ role: 'applicant' });
    expect(screen.parties).toMatchObject([{ role: 'guarantor', datasets: [{ id: HOUSEHOLD }] }]);
  });

  it('refuses an application without every party, with a bad national ID, or naming the applicant', async () => {
    const { citizenId } = await f.signIn(NATIONAL_ID);
    const base = {
      citizenId,
      serviceId: JOINT,
      detail,
      chosen: [INCOME],
      assurance: 'high' as const,
      methods: [],
    };
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: AppError) => e.code,
      );
    expect(await code(f.service.accept(base))).toBe('application.parties-required');
    expect(await code(f.service.accept({ ...base, parties: nominate('A123456788') }))).toBe(
      'application.party-invalid',
    );
    expect(await code(f.service.accept({ ...base, parties: nominate(NATIONAL_ID) }))).toBe(
      'application.party-invalid',
    );
    expect(
      await code(
        f.service.accept({
          ...base,
          parties: [{ role: 'guarantor', nationalId: GUARANTOR_ID, contact: { mobile: '12345' } }],
        }),
      ),
    ).toBe('application.party-invalid');
    // Nothing was stored for a refused application.
    expect(await f.db.selectFrom('consents').select('id').execute()).toEqual([]);
  });

  it('waits for every party: invitation sent, package not ready, progress waiting, token living until expiry', async () => {
    const { result } = await apply();
    expect(result.ready).toBe(true);
    expect(result.consent.status).toBe('pending');
    const consentId = result.consent.id;
    const stored = await f.db.selectFrom('consent_parties').selectAll().execute();
    // No national ID or contact in the clear.
    expect(JSON.stringify(stored)).not.toContain(GUARANTOR_ID);
    expect(JSON.stringify(stored)).not.toContain('guarantor@example.org');
    const invitations = await outboxRows('application-invitation');
    expect(invitations).toHaveLength(1);
    expect(f.outbox.open(invitations[0] as never)).toMatchObject({
      to: 'guarantor@example.org',
      params: { link: `${ISSUER}/invitations/${await invitationId(consentId)}` },
    });
    expect(await webhookEvents()).toEqual(['application.progress']);
    const notReady = await f.service.takePackage(consentId, JOINT).catch((e: AppError) => e);
    expect([(notReady as AppError).code, (notReady as AppError).status]).toEqual([
      'transfer.package-not-ready',
      425,
    ]);
    expect(await parties.progress(consentId)).toMatchObject({
      status: 'waiting',
      parties: [{ role: 'guarantor', status: 'waiting' }],
    });
    const seconds = await f.service.accessTokenSeconds(consentId);
    expect(seconds).toBe(72 * 3600 + 600);
  });

  it('lets only the named person see the invitation; anyone else gets the same not-found', async () => {
    const { result } = await apply();
    const id = await invitationId(result.consent.id);
    const stranger = await f.signIn(STRANGER_ID);
    await expect(parties.invitation(id, stranger.citizenId)).rejects.toMatchObject({
      code: 'application.not-found',
    });
    await expect(parties.invitation('no-such-id', stranger.citizenId)).rejects.toMatchObject({
      code: 'application.not-found',
    });
    const applicant = await f.signIn(NATIONAL_ID);
    await expect(parties.invitation(id, applicant.citizenId)).rejects.toMatchObject({
      code: 'application.not-found',
    });
    const who = await guarantor();
    const view = await parties.invitation(id, who.citizenId);
    expect(view).toMatchObject({
      status: 'waiting',
      role: { role: 'guarantor' },
      inviter: { name: '王小明', maskedNationalId: maskNationalId(NATIONAL_ID) },
      service: { id: JOINT },
    });
    expect(view.datasets.map((d) => d.id)).toEqual([HOUSEHOLD]);
    expect(JSON.stringify(view)).not.toContain(NATIONAL_ID);
  });

  it('locks an account out of invitation look-ups after 20 misses in 10 minutes', async () => {
    const { result } = await apply();
    const id = await invitationId(result.consent.id);
    const stranger = await f.signIn(STRANGER_ID);
    for (let i = 0; i < 20; i++) {
      await expect(parties.invitation(`guess-${i}`, stranger.citizenId)).rejects.toMatchObject({
        code: 'application.not-found',
      });
    }
    // Locked: even a real id answers rate-limited, so guessing further tells nothing.
    await expect(parties.invitation(id, stranger.citizenId)).rejects.toMatchObject({
      code: 'application.rate-limited',
    });
    // The named person is not affected by someone else's guessing.
    const who = await guarantor();
    await expect(parties.invitation(id, who.citizenId)).resolves.toMatchObject({ status: 'waiting' });
  });

  it('releases the package only when every party consented, with each party under its role and subject', async () => {
    const { result } = await apply();
    const consentId = result.consent.id;
    const id = await invitationId(consentId);
    const who = await guarantor();
    const view = await parties.accept(id, who);
    expect(view.status).toBe('consented');
    expect(await parties.progress(consentId)).toMatchObject({
      status: 'ready',
      parties: [{ role: 'guarantor', status: 'consented' }],
    });
    expect(await webhookEvents()).toEqual(['application.progress', 'application.ready']);
    // The invitee's fetch is bound to the application's consent, like the applicant's.
    expect(f.gateway.state.calls.map((c) => [c.consentId, c.datasets])).toEqual([
      [consentId, [INCOME]],
      [consentId, [HOUSEHOLD]],
    ]);

    const jwe = await f.service.takePackage(consentId, JOINT);
    const { plaintext } = await compactDecrypt(jwe, f.enc.privateKey);
    const { payload } = await jwtVerify(
      new TextDecoder().decode(plaintext),
      createLocalJWKSet({ keys: [f.service.publicJwk] }),
      { issuer: ISSUER, audience: JOINT, typ: PACKAGE_JWS_TYPE, currentDate: clock.now },
    );
    const claims = payload as unknown as PackageClaims;
    expect(claims.role).toBe('applicant');
    expect(claims.datasets.map((d) => d.datasetId)).toEqual([INCOME]);
    const guarantorRef = f.identity.repo.citizenRef(GUARANTOR_ID);
    expect(claims.parties).toMatchObject([
      {
        role: 'guarantor',
        sub: pairwiseSubject(f.pairwiseKey, guarantorRef, JOINT),
        datasets: [{ datasetId: HOUSEHOLD }],
      },
    ]);
    expect(claims.sub).not.toBe(claims.parties?.[0]?.sub);
    // The guarantor's own usage log: consent given, then the transfer (notified).
    const log = (await f.recorder.citizenView(GUARANTOR_ID)).items.map((e) => e.entry.event);
    expect(log.sort()).toEqual(['consent-given', 'transfer']);
    expect(await f.service.takePackage(consentId, JOINT).catch((e: AppError) => e.code)).toBe(
      'transfer.package-gone',
    );
    await expect(parties.accept(id, who)).rejects.toMatchObject({ code: 'application.not-open' });
    // Their "My consents" lists the invitation with their own receipt, which verifies and names their subject.
    expect(await parties.mine(who.citizenId)).toMatchObject([
      { id, status: 'consented', role: { role: 'guarantor' }, service: { id: JOINT }, hasReceipt: true },
    ]);
    const verified = await f.service.verifyReceipt(await parties.receipt(id, who.citizenId));
    expect(verified).toMatchObject({ valid: true, receipt: { subject: claims.parties?.[0]?.sub } });
    // The applicant was sent no invitation, and cannot read the guarantor's receipt.
    expect(await parties.mine((await f.signIn(NATIONAL_ID)).citizenId)).toEqual([]);
    await expect(parties.receipt(id, (await f.signIn(NATIONAL_ID)).citizenId)).rejects.toMatchObject({
      code: 'application.not-found',
    });
  });

  it('keeps the invitation open when the invitee’s agency fails, and a second try succeeds', async () => {
    const { result } = await apply();
    const id = await invitationId(result.consent.id);
    const who = await guarantor();
    f.gateway.state.failNext.push(
      new (await import('@mydata/core')).AppError('exchange.agency-unreachable', {
        agency: 'x',
        agencyId: 'moi-household',
        reason: 'down',
      }),
    );
    await expect(parties.accept(id, who)).rejects.toMatchObject({ code: 'exchange.agency-unreachable' });
    expect((await parties.invitation(id, who.citizenId)).status).toBe('waiting');
    expect((await parties.accept(id, who)).status).toBe('consented');
  });

  it('ends the whole application when a party declines: consent ended, nothing to fetch, everyone told', async () => {
    const { result, citizenId } = await apply();
    const consentId = result.consent.id;
    const id = await invitationId(consentId);
    const who = await guarantor();
    expect((await parties.decline(id, who)).status).toBe('declined');
    const [consent] = await f.service.list(citizenId);
    expect(consent?.status).toBe('withdrawn');
    const row = await f.db
      .selectFrom('consents')
      .select('end_reason')
      .where('id', '=', consentId)
      .executeTakeFirst();
    expect(row?.end_reason).toBe('party-declined');
    expect(await parties.progress(consentId)).toMatchObject({
      status: 'ended',
      parties: [{ role: 'guarantor', status: 'declined' }],
    });
    expect(await webhookEvents()).toEqual(['application.progress', 'application.ended']);
    // The applicant (registered contact: e-mail and SMS) and the guarantor are told.
    expect((await outboxRows('application-ended')).length).toBeGreaterThanOrEqual(3);
    expect(await f.service.takePackage(consentId, JOINT).catch((e: AppError) => e.code)).toBe(
      'transfer.package-gone',
    );
    const collected = await f.db.selectFrom('consent_parties').select('collected_sealed').execute();
    expect(collected.every((c) => c.collected_sealed === null)).toBe(true);
    await expect(parties.accept(id, who)).rejects.toMatchObject({ code: 'application.not-open' });
  });

  it('ends the application when an invitation expires, in the periodic sweep', async () => {
    const { result } = await apply();
    const consentId = result.consent.id;
    const id = await invitationId(consentId);
    clock.now = new Date(clock.now.getTime() + 71 * 3600_000);
    expect(await parties.expireDue()).toBe(0);
    clock.now = new Date(clock.now.getTime() + 3600_000 + 1000);
    const who = await guarantor();
    await expect(parties.accept(id, who)).rejects.toMatchObject({ code: 'application.not-open' });
    expect(await parties.expireDue()).toBe(1);
    expect(await parties.progress(consentId)).toMatchObject({
      status: 'ended',
      parties: [{ role: 'guarantor', status: 'expired' }],
    });
    const row = await f.db
      .selectFrom('consents')
      .select(['status', 'end_reason'])
      .where('id', '=', consentId)
      .executeTakeFirst();
    expect(row).toEqual({ status: 'expired', end_reason: 'party-expired' });
    expect(await webhookEvents()).toEqual(['application.progress', 'application.ended']);
    expect((await parties.invitation(id, who.citizenId)).status).toBe('expired');
  });

  it('ends the invitations when the applicant withdraws while waiting', async () => {
    const { result, citizenId } = await apply();
    const consentId = result.consent.id;
    await f.service.withdraw(consentId, citizenId, 'withdrawn');
    expect(await parties.progress(consentId)).toMatchObject({ status: 'ended' });
    expect(await webhookEvents()).toEqual(['application.progress', 'consent.withdrawn', 'application.ended']);
    const who = await guarantor();
    await expect(parties.accept(await invitationId(consentId), who)).rejects.toMatchObject({
      code: 'application.not-open',
    });
  });

  it('leaves one-person services as they were', async () => {
    f.directory.set(SERVICE_ID, f.directory.get(JOINT) as never);
    const { citizenId } = await f.signIn(NATIONAL_ID);
    const result = await f.service.accept({ ...f.request(), citizenId });
    expect(result.ready).toBe(true);
    expect(result.consent.status).toBe('active');
    expect(await f.service.accessTokenSeconds(result.consent.id)).toBeUndefined();
    // Its progress is its own state: ready while the package waits, ended once withdrawn.
    expect(await parties.progress(result.consent.id)).toEqual({ status: 'ready', parties: [] });
    await f.service.withdraw(result.consent.id, citizenId);
    expect(await parties.progress(result.consent.id)).toEqual({ status: 'ended', parties: [] });
    expect(await parties.progress('no-such-consent')).toBeUndefined();
  });
});
