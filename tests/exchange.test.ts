import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import {
  AppError,
  EXCHANGE_ALGORITHM,
  EXCHANGE_QUERY_PATH,
  encodeQuery,
  REQUEST_JWS_TYPE,
  REQUEST_SIGNATURE_HEADER,
  RESPONSE_SIGNATURE_HEADER,
  sha256Base64url,
} from '@mydata/core';
import { DATASET_IDS } from '@mydata/demo';
import { createDataProvider } from '@mydata/sdk';
import { buildApp, createCertificateAuthority, issueCertificate, loadConfig } from '@mydata/server';
import { compactVerify, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  citizenWith,
  closedPort,
  createHarness,
  type Harness,
  PLATFORM_ID,
  startRogueAgency,
} from './exchange-harness.ts';

const PURPOSE = 'https://w3id.org/dpv#ServiceProvision';

async function fetchError(h: Harness, datasets: string[], nationalId = 'A123456789'): Promise<AppError> {
  try {
    await h.gateway.fetch({
      consentId: `consent-${randomUUID()}`,
      purpose: PURPOSE,
      subject: { nationalId },
      datasets,
    });
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('the fetch succeeded but should have failed');
}

async function attemptsOf(h: Harness, datasetId: string) {
  return h.database.db
    .selectFrom('exchange_message_log')
    .select(['outcome', 'exchange_id', 'request_jws', 'response_jws', 'http_status'])
    .where('dataset_id', '=', datasetId)
    .orderBy('seq')
    .execute();
}

/** Sends one raw request to an agency with the given client certificate (or none). */
function rawRequest(
  url: string,
  tls: { ca: string; cert?: string; key?: string },
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: EXCHANGE_QUERY_PATH,
        ca: tls.ca,
        ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}),
        headers: { ...headers, 'content-type': 'application/json' },
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('The exchange gateway over mutual TLS', () => {
  let h: Awaited<ReturnType<typeof createHarness>>;
  const demoAgencies = ['moi-household', 'mof-fia', 'mvdis'];
  beforeAll(async () => {
    h = await createHarness({ demoAgencies });
  });
  afterAll(() => h.close());

  describe('when every agency answers', () => {
    it('fetches several datasets across agencies, verified, with each agency’s own signature', async () => {
      const datasets = [DATASET_IDS.householdRegistration, DATASET_IDS.income, DATASET_IDS.drivingLicence];
      const nationalId = citizenWith(h.population, datasets);
      const result = await h.gateway.fetch({
        consentId: 'consent-1',
        purpose: PURPOSE,
        subject: { nationalId },
        datasets,
      });
      expect(result.results.map((r) => r.datasetId)).toEqual(datasets);
      for (const r of result.results) {
        expect(r.payload).toEqual(h.population.record(r.datasetId, nationalId));
        expect(r.agencyId).toBe(r.datasetId.split('.')[0]);
        // The provider signature is kept and checks out against the agency's registered key alone.
        const reg = await h.gateway.registry.get(r.agencyId);
        const key = await importJWK(reg!.jwks.keys[0] as never, EXCHANGE_ALGORITHM);
        const { payload } = await compactVerify(r.providerSignature, key);
        const claims = JSON.parse(new TextDecoder().decode(payload));
        expect(claims.bodySha256).toBe(sha256Base64url(r.providerBody));
        expect(claims.requestHash).toBe(sha256Base64url(r.requestSignature));
      }
      const logged = await h.gateway.log.byExchange(result.exchangeId);
      expect(logged.map((e) => e.outcome)).toEqual(['ok', 'ok', 'ok']);
      // The log holds envelopes and hashes; neither the national ID nor the record is in it.
      expect(JSON.stringify(logged)).not.toContain(nationalId);
    });

    it('names the agency and refuses the whole fetch when the citizen has no record there', async () => {
      const datasets = [DATASET_IDS.householdRegistration, DATASET_IDS.income];
      const e = await fetchError(h, datasets, 'Z999999999');
      expect(e.code).toBe('exchange.failed');
      expect(e.params.agencies).toContain('內政部戶政司');
      expect(e.params.agencies).toContain('財政部財政資訊中心');
      expect(e.issues?.map((i) => i.message.split(':')[0])).toEqual([
        'exchange.no-such-person',
        'exchange.no-such-person',
      ]);
    });

    it('reports "no such person" from one agency with its name, without retrying', async () => {
      const before = (await attemptsOf(h, DATASET_IDS.drivingLicence)).length;
      const e = await fetchError(h, [DATASET_IDS.drivingLicence], 'Z999999999');
      expect(e.code).toBe('exchange.no-such-person');
      expect(e.status).toBe(404);
      expect(e.message).toContain('(mvdis)');
      expect(e.params.agency).toBe('交通部公路局');
      const after = await attemptsOf(h, DATASET_IDS.drivingLicence);
      expect(after.length - before).toBe(1);
      expect(after.at(-1)?.outcome).toBe('exchange.no-such-person');
      expect(after.at(-1)?.response_jws).toBeTruthy();
    });

    it('reports "not permitted" when the agency does not provide the dataset', async () => {
      const cert = await h.certificate('mof-fia');
      const signing = await import('@mydata/sdk').then((m) => m.generateSigningKey());
      const provider = createDataProvider({
        agencyId: 'mof-fia',
        datasets: { [DATASET_IDS.income]: () => ({}) },
        tls: { ...cert, ca: h.ca.cert },
        signingKey: signing.privateJwk,
        platformKeys: { keys: [h.platformKey.publicJwk] },
      });
      const url = await provider.listen();
      const original = await h.gateway.registry.get('mof-fia');
      await h.register('mof-fia', url, cert.cert, signing.publicJwk);
      try {
        const e = await fetchError(h, [DATASET_IDS.property]);
        expect(e.code).toBe('exchange.not-permitted');
      } finally {
        await provider.close();
        await h.gateway.registry.register(original!);
      }
    });
  });

  describe('when an agency misbehaves or fails', () => {
    it('gives exchange.agency-unreachable for an agency that is down, after retrying, and delivers nothing', async () => {
      const port = await closedPort();
      const cert = await h.certificate('nhia');
      const { publicJwk } = await import('@mydata/sdk').then((m) => m.generateSigningKey());
      await h.register('nhia', `https://127.0.0.1:${port}`, cert.cert, publicJwk);
      const datasets = [DATASET_IDS.householdRegistration, DATASET_IDS.nhiStatus];
      const nationalId = citizenWith(h.population, [DATASET_IDS.householdRegistration]);
      const e = await fetchError(h, datasets, nationalId);
      expect(e.code).toBe('exchange.agency-unreachable');
      expect(e.params.agency).toBe('衛生福利部中央健康保險署');
      expect(e.message).toContain('ECONNREFUSED');
      const attempts = await attemptsOf(h, DATASET_IDS.nhiStatus);
      expect(attempts.map((a) => a.outcome)).toEqual(Array(3).fill('exchange.agency-unreachable'));
      // The household registration was fetched fine and logged, yet not handed over on its own.
      const household = await attemptsOf(h, DATASET_IDS.householdRegistration);
      expect(household.at(-1)?.exchange_id).toBe(attempts[0]?.exchange_id);
    });

    it('gives exchange.timeout for a slow agency, within its registered timeout', async () => {
      const rogue = await startRogueAgency(h, 'nia', 'slow', { delayMs: 400 });
      const reg = (await h.gateway.registry.get('nia'))!;
      await h.gateway.registry.register({ ...reg, timeoutMs: 60 });
      const started = Date.now();
      const e = await fetchError(h, [DATASET_IDS.entryExit]);
      expect(e.code).toBe('exchange.timeout');
      expect(e.params.timeoutMs).toBe(60);
      expect(Date.now() - started).toBeLessThan(400 * 3);
      expect(rogue.requests).toBe(3);
      await rogue.close();
    });

    it('sends an agency no more concurrent requests than its registered maximum', async () => {
      const rogue = await startRogueAgency(h, 'bli', 'slow', { delayMs: 30 });
      const reg = (await h.gateway.registry.get('bli'))!;
      await h.gateway.registry.register({ ...reg, maxConcurrency: 2, timeoutMs: 2000 });
      const fetches = Array.from({ length: 6 }, () => fetchError(h, [DATASET_IDS.labourInsurance]));
      // The rogue answers an empty payload, so each fetch ends in a schema violation, after queueing.
      expect((await Promise.all(fetches)).map((e) => e.code)).toEqual(
        Array(6).fill('exchange.schema-violation'),
      );
      expect(rogue.requests).toBe(6);
      expect(rogue.maxInFlight).toBe(2);
      await rogue.close();
    });

    it('retries a 5xx answer, then gives exchange.agency-error', async () => {
      const rogue = await startRogueAgency(h, 'bli', 'error-500');
      const e = await fetchError(h, [DATASET_IDS.labourInsurance]);
      expect(e.code).toBe('exchange.agency-error');
      expect(rogue.requests).toBe(3);
      await rogue.close();
    });

    it.each([
      ['garbage-unsigned', 'exchange.bad-signature'],
      ['garbage-signed', 'exchange.invalid-response'],
      ['wrong-key', 'exchange.bad-signature'],
      ['wrong-request', 'exchange.wrong-request'],
      ['stale', 'exchange.stale-response'],
    ] as const)('refuses an agency answering %s with %s, once, without retrying', async (mode, code) => {
      const rogue = await startRogueAgency(h, 'boca', mode);
      const e = await fetchError(h, [DATASET_IDS.passport]);
      expect(e.code).toBe(code);
      expect(e.params.agency).toBe('外交部領事事務局');
      expect(rogue.requests).toBe(1);
      const last = (await attemptsOf(h, DATASET_IDS.passport)).at(-1);
      expect(last?.outcome).toBe(code);
      await rogue.close();
    });

    it('refuses data that does not match the dataset schema, pointing at the fields', async () => {
      const cert = await h.certificate('sfaa');
      const { generateSigningKey } = await import('@mydata/sdk');
      const signing = await generateSigningKey();
      const provider = createDataProvider({
        agencyId: 'sfaa',
        datasets: { [DATASET_IDS.disabilityCertificate]: (nationalId) => ({ nationalId, severity: 'very' }) },
        tls: { ...cert, ca: h.ca.cert },
        signingKey: signing.privateJwk,
        platformKeys: { keys: [h.platformKey.publicJwk] },
      });
      await h.register('sfaa', await provider.listen(), cert.cert, signing.publicJwk);
      const e = await fetchError(h, [DATASET_IDS.disabilityCertificate]);
      expect(e.code).toBe('exchange.schema-violation');
      expect(e.issues?.length).toBeGreaterThan(0);
      expect(e.issues?.[0]?.pointer).toMatch(/^\/payload/);
      expect((await attemptsOf(h, DATASET_IDS.disabilityCertificate)).length).toBe(1);
      await provider.close();
    });

    it('refuses an agency presenting a certificate from another CA, or another agency’s certificate', async () => {
      const otherCa = await createCertificateAuthority('Somebody else');
      const foreign = await issueCertificate(otherCa, { commonName: 'boca', usage: 'server' });
      const rogue1 = await startRogueAgency(h, 'boca', 'garbage-signed', { cert: foreign });
      const e1 = await fetchError(h, [DATASET_IDS.passport]);
      expect(e1.code).toBe('exchange.tls-failure');
      expect(rogue1.requests).toBe(0);
      await rogue1.close();

      // Same CA, valid chain and host name, but the key registered for boca is not this one.
      const rogue2 = await startRogueAgency(h, 'boca', 'garbage-signed', {
        cert: await h.certificate('nhia'),
      });
      const reg = (await h.gateway.registry.get('boca'))!;
      await h.gateway.registry.register({
        ...reg,
        tlsSpkiSha256: [(await import('@mydata/server')).spkiSha256((await h.certificate('boca')).cert)],
      });
      const e2 = await fetchError(h, [DATASET_IDS.passport]);
      expect(e2.code).toBe('exchange.tls-failure');
      expect(e2.message).toContain('not the registered one');
      expect(rogue2.requests).toBe(0);
      await rogue2.close();
    });

    it('gives exchange.tls-failure, not "unreachable", when the agency refuses the platform’s certificate', async () => {
      const impostorCa = await createCertificateAuthority('Impostor CA');
      const impostor = await issueCertificate(impostorCa, { commonName: PLATFORM_ID, usage: 'client' });
      const { createExchangeGateway } = await import('@mydata/server');
      const other = createExchangeGateway({
        db: h.database.db,
        platformId: PLATFORM_ID,
        signingKey: h.platformKey.privateJwk,
        tls: { ...impostor, ca: h.ca.cert },
        retries: 0,
      });
      try {
        const nationalId = citizenWith(h.population, [DATASET_IDS.householdRegistration]);
        const e = await other
          .fetch({
            consentId: 'c-3',
            purpose: PURPOSE,
            subject: { nationalId },
            datasets: [DATASET_IDS.householdRegistration],
          })
          .then(
            () => undefined,
            (err: AppError) => err,
          );
        expect(e?.code).toBe('exchange.tls-failure');
      } finally {
        other.close();
      }
    });

    it('opens the circuit after repeated failures, then recovers once a health check succeeds', async () => {
      const port = await closedPort();
      const agencyId = 'mohw-social-assistance';
      const cert = await h.certificate(agencyId);
      const { generateSigningKey } = await import('@mydata/sdk');
      const signing = await generateSigningKey();
      await h.register(agencyId, `https://127.0.0.1:${port}`, cert.cert, signing.publicJwk);
      const dataset = DATASET_IDS.lowIncomeStatus;
      // Three attempts (one fetch with two retries) reach the threshold of three.
      expect((await fetchError(h, [dataset])).code).toBe('exchange.agency-unreachable');
      const before = (await attemptsOf(h, dataset)).length;
      expect((await fetchError(h, [dataset])).code).toBe('exchange.circuit-open');
      const after = await attemptsOf(h, dataset);
      expect(after.length - before).toBe(1);
      expect(after.at(-1)).toMatchObject({ outcome: 'exchange.circuit-open', request_jws: '' });
      expect((await h.gateway.status()).find((s) => s.agencyId === agencyId)).toMatchObject({
        state: 'down',
        circuit: 'open',
      });

      const nationalId = citizenWith(h.population, [dataset]);
      const provider = createDataProvider({
        agencyId,
        datasets: { [dataset]: (id) => h.population.record(dataset, id) },
        tls: { ...cert, ca: h.ca.cert },
        signingKey: signing.privateJwk,
        platformKeys: { keys: [h.platformKey.publicJwk] },
      });
      await provider.listen({ port });
      await h.gateway.checkHealth();
      expect((await h.gateway.status()).find((s) => s.agencyId === agencyId)).toMatchObject({
        state: 'up',
        circuit: 'half-open',
      });
      const ok = await h.gateway.fetch({
        consentId: 'c-2',
        purpose: PURPOSE,
        subject: { nationalId },
        datasets: [dataset],
      });
      expect(ok.results[0]?.payload).toEqual(h.population.record(dataset, nationalId));
      expect((await h.gateway.status()).find((s) => s.agencyId === agencyId)?.circuit).toBe('closed');
      await provider.close();
    });

    it('names every failing agency when several fail, and returns nothing of the ones that answered', async () => {
      const port = await closedPort();
      const a = await h.certificate('nhia');
      const { generateSigningKey } = await import('@mydata/sdk');
      await h.register('nhia', `https://127.0.0.1:${port}`, a.cert, (await generateSigningKey()).publicJwk);
      const rogue = await startRogueAgency(h, 'boca', 'wrong-request');
      const nationalId = citizenWith(h.population, [DATASET_IDS.income]);
      const e = await fetchError(
        h,
        [DATASET_IDS.income, DATASET_IDS.nhiStatus, DATASET_IDS.passport],
        nationalId,
      );
      expect(e.code).toBe('exchange.failed');
      expect(e.params.agencies).toBe('衛生福利部中央健康保險署、外交部領事事務局');
      expect(e.issues?.map((i) => i.pointer)).toEqual(['/datasets/1', '/datasets/2']);
      expect(e.issues?.[1]?.message).toMatch(/^exchange\.wrong-request/);
      await rogue.close();
    });

    it('says so when a dataset’s agency is not registered', async () => {
      await h.gateway.registry.remove('nhia');
      const e = await fetchError(h, [DATASET_IDS.nhiStatus]);
      expect(e.code).toBe('exchange.agency-not-registered');
    });
  });

  describe('an agency built on the SDK', () => {
    const agencyUrl = () => h.demo.agencies.find((a) => a.agencyId === 'moi-household')!.url;
    const signedRequest = async (
      options: { iat?: number; jti?: string; body?: string; signedBody?: string } = {},
    ) => {
      const body =
        options.body ??
        encodeQuery({
          datasetId: DATASET_IDS.householdRegistration,
          subject: { nationalId: h.population.citizen(0).nationalId },
        });
      const jws = await new SignJWT({
        method: 'POST',
        path: EXCHANGE_QUERY_PATH,
        bodySha256: sha256Base64url(options.signedBody ?? body),
        consentId: 'consent-raw',
        purpose: PURPOSE,
        datasetId: DATASET_IDS.householdRegistration,
      })
        .setProtectedHeader({ alg: EXCHANGE_ALGORITHM, typ: REQUEST_JWS_TYPE })
        .setIssuer(PLATFORM_ID)
        .setAudience('moi-household')
        .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
        .setJti(options.jti ?? randomUUID())
        .sign(await importJWK(h.platformKey.privateJwk, EXCHANGE_ALGORITHM));
      return { headers: { [REQUEST_SIGNATURE_HEADER]: jws }, body };
    };
    const asPlatform = () => ({ ca: h.ca.cert, ...h.platformClient });

    it('answers a correctly signed request from the platform, signing the answer', async () => {
      const r = await signedRequest();
      const res = await rawRequest(agencyUrl(), asPlatform(), r.headers, r.body);
      expect(res.status).toBe(200);
      expect(res.headers[RESPONSE_SIGNATURE_HEADER]).toBeTruthy();
    });

    it('refuses a replayed request', async () => {
      const r = await signedRequest();
      expect((await rawRequest(agencyUrl(), asPlatform(), r.headers, r.body)).status).toBe(200);
      const replay = await rawRequest(agencyUrl(), asPlatform(), r.headers, r.body);
      expect(replay.status).toBe(401);
      expect(JSON.parse(replay.body).error).toBe('replayed');
    });

    it('refuses a stale request and one whose body is not the signed one', async () => {
      const stale = await signedRequest({ iat: Math.floor(Date.now() / 1000) - 120 });
      const res = await rawRequest(agencyUrl(), asPlatform(), stale.headers, stale.body);
      expect([res.status, JSON.parse(res.body).error]).toEqual([401, 'stale']);
      const swapped = await signedRequest({ signedBody: '{"other":true}' });
      const res2 = await rawRequest(agencyUrl(), asPlatform(), swapped.headers, swapped.body);
      expect([res2.status, JSON.parse(res2.body).error]).toEqual([401, 'bad-signature']);
    });

    it('refuses a request signed by a key that is not the platform’s', async () => {
      const { generateSigningKey } = await import('@mydata/sdk');
      const other = await generateSigningKey();
      const body = encodeQuery({
        datasetId: DATASET_IDS.householdRegistration,
        subject: { nationalId: 'A123456789' },
      });
      const jws = await new SignJWT({
        method: 'POST',
        path: EXCHANGE_QUERY_PATH,
        bodySha256: sha256Base64url(body),
        consentId: 'c',
        purpose: PURPOSE,
        datasetId: DATASET_IDS.householdRegistration,
      })
        .setProtectedHeader({ alg: EXCHANGE_ALGORITHM, typ: REQUEST_JWS_TYPE })
        .setIssuer(PLATFORM_ID)
        .setAudience('moi-household')
        .setIssuedAt()
        .setJti(randomUUID())
        .sign(await importJWK(other.privateJwk, EXCHANGE_ALGORITHM));
      const res = await rawRequest(agencyUrl(), asPlatform(), { [REQUEST_SIGNATURE_HEADER]: jws }, body);
      expect([res.status, JSON.parse(res.body).error]).toEqual([401, 'bad-signature']);
    });

    it('refuses a client without a certificate at the handshake', async () => {
      const r = await signedRequest();
      await expect(rawRequest(agencyUrl(), { ca: h.ca.cert }, r.headers, r.body)).rejects.toThrow();
    });

    it('refuses a client whose certificate chains to the CA but is not the platform’s', async () => {
      const r = await signedRequest();
      const someone = await issueCertificate(h.ca, { commonName: 'someone-else', usage: 'client' });
      const res = await rawRequest(agencyUrl(), { ca: h.ca.cert, ...someone }, r.headers, r.body);
      expect([res.status, JSON.parse(res.body).error]).toEqual([403, 'client-not-allowed']);
      // Another agency's server certificate (no clientAuth usage) and an impostor CA fail the handshake.
      const agencyCert = await h.certificate('mof-fia');
      await expect(
        rawRequest(agencyUrl(), { ca: h.ca.cert, ...agencyCert }, r.headers, r.body),
      ).rejects.toThrow();
      const fakePlatform = await issueCertificate(await createCertificateAuthority('Impostor CA'), {
        commonName: PLATFORM_ID,
        usage: 'client',
      });
      await expect(
        rawRequest(agencyUrl(), { ca: h.ca.cert, ...fakePlatform }, r.headers, r.body),
      ).rejects.toThrow();
    });
  });

  describe('the status API', () => {
    it('shows each registered agency’s name, state and circuit, and publishes the platform’s public keys', async () => {
      await h.gateway.checkHealth();
      const app = await buildApp({
        config: loadConfig({ LOG_LEVEL: 'silent' }),
        db: h.database.db,
        gateway: h.gateway,
      });
      const res = await app.inject({ method: 'GET', url: '/api/v1/status/agencies' });
      expect(res.statusCode).toBe(200);
      const items = res.json().items as {
        agencyId: string;
        name: { 'zh-TW': string };
        state: string;
        circuit: string;
      }[];
      expect(items.find((i) => i.agencyId === 'moi-household')).toMatchObject({
        name: { 'zh-TW': '內政部戶政司' },
        state: 'up',
        circuit: 'closed',
      });
      expect(Object.keys(items[0]!).sort()).toEqual(['agencyId', 'checkedAt', 'circuit', 'name', 'state']);
      const keys = await app.inject({ method: 'GET', url: '/api/v1/exchange/platform-keys' });
      expect(keys.json()).toEqual({ keys: [h.platformKey.publicJwk] });
      expect(keys.body).not.toContain('"d"');
      await app.close();
    });
  });
});
