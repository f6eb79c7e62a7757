import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../http/testing.ts';
import { fixtureCatalogue } from './fixtures.ts';

describe('The catalogue API', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT_BYTES: '4096' });
  });
  afterAll(() => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const expectProblem = (
    res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
    status: number,
    code: string,
  ) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json() as { code: string; detail: string; status: number };
    expect(body.code).toBe(code);
    expect(body.status).toBe(status);
    expect(body.detail.length).toBeGreaterThan(10);
    return body as { code: string; detail: string; errors?: { pointer: string; message: string }[] };
  };

  describe('organisations', () => {
    it('lists organisations, filtered by role and sector', async () => {
      expect((await get('/api/v1/organisations')).json().items).toHaveLength(4);
      const providers = (await get('/api/v1/organisations?role=data-provider')).json().items;
      expect(providers.map((o: { id: string }) => o.id)).toEqual(['mof-fia', 'moi-household']);
      expect((await get('/api/v1/organisations?sector=financial')).json().items[0].id).toBe('firstbank');
    });
    it('returns one organisation, and a 404 problem for an unknown id', async () => {
      expect((await get('/api/v1/organisations/firstbank')).json().website).toBe('https://bank.example.org');
      expectProblem(await get('/api/v1/organisations/nobody'), 404, 'catalogue.organisation-not-found');
    });
    it('refuses an unknown role or filter with the field named', async () => {
      const body = expectProblem(
        await get('/api/v1/organisations?role=boss&colour=red'),
        400,
        'request.invalid',
      );
      expect(body.errors?.map((e) => e.pointer).sort()).toEqual(['/query/colour', '/query/role']);
    });
  });

  describe('datasets', () => {
    it('lists datasets with their source agency, schema, assurance and sensitivity', async () => {
      const { items, total } = (await get('/api/v1/datasets')).json();
      expect(total).toBe(2);
      const income = items.find((d: { id: string }) => d.id === 'mof-fia.income');
      expect(income).toMatchObject({
        agency: { id: 'mof-fia', name: { 'zh-TW': '財政部財政資訊中心' } },
        minAssurance: 'high',
        sensitivity: 'sensitive',
        payloadSchema: { type: 'object' },
      });
    });
    it('filters by agency and topic, searches both languages, and pages', async () => {
      expect((await get('/api/v1/datasets?agency=mof-fia')).json().total).toBe(1);
      expect((await get('/api/v1/datasets?topic=household')).json().items[0].id).toBe(
        'moi-household.household-registration',
      );
      expect((await get(`/api/v1/datasets?q=${encodeURIComponent('戶籍')}`)).json().total).toBe(1);
      expect((await get('/api/v1/datasets?q=INCOME')).json().total).toBe(1);
      const page = (await get('/api/v1/datasets?limit=1&offset=1')).json();
      expect(page).toMatchObject({ total: 2 });
      expect(page.items).toHaveLength(1);
    });
    it('treats % and _ in a search as plain characters', async () => {
      expect((await get(`/api/v1/datasets?q=${encodeURIComponent('%')}`)).json().total).toBe(1);
      expect((await get(`/api/v1/datasets?q=${encodeURIComponent('_')}`)).json().total).toBe(1);
      expect((await get(`/api/v1/datasets?q=${encodeURIComponent('戶_')}`)).json().total).toBe(0);
    });
    it('refuses wrong types, out-of-range paging and unknown parameters', async () => {
      const body = expectProblem(
        await get('/api/v1/datasets?limit=abc&offset=-1&topic=weather&sort=name'),
        400,
        'request.invalid',
      );
      expect(body.errors?.map((e) => e.pointer).sort()).toEqual([
        '/query/limit',
        '/query/offset',
        '/query/sort',
        '/query/topic',
      ]);
      expectProblem(await get('/api/v1/datasets?limit=100000'), 400, 'request.invalid');
      expectProblem(await get(`/api/v1/datasets?q=${'x'.repeat(101)}`), 400, 'request.invalid');
    });
    it('returns one dataset, and a 404 problem naming an unknown id', async () => {
      expect((await get('/api/v1/datasets/mof-fia.income')).json().fields[0].name).toBe('total');
      const body = expectProblem(
        await get('/api/v1/datasets/mof-fia.nothing'),
        404,
        'catalogue.dataset-not-found',
      );
      expect(body.detail).toContain('mof-fia.nothing');
    });
  });

  describe('services', () => {
    it('lists services with provider, purpose, required and optional datasets, and mode', async () => {
      const { items } = (await get('/api/v1/services?mode=online')).json();
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        id: 'firstbank.loan',
        provider: { id: 'firstbank' },
        purpose: { dpv: 'https://w3id.org/dpv#CreditChecking' },
        retentionDays: 365,
        datasets: [
          { datasetId: 'mof-fia.income', required: true, minAssurance: 'high', agency: { id: 'mof-fia' } },
          { datasetId: 'moi-household.household-registration', required: false },
        ],
      });
    });
    it('filters by mode, provider, dataset and words', async () => {
      expect((await get('/api/v1/services?mode=counter')).json().items[0].id).toBe('pthg.counter-check');
      expect((await get('/api/v1/services?provider=pthg')).json().total).toBe(1);
      expect((await get('/api/v1/services?dataset=moi-household.household-registration')).json().total).toBe(
        2,
      );
      expect((await get('/api/v1/services?dataset=mof-fia.income')).json().total).toBe(1);
      expect((await get('/api/v1/services?q=loan')).json().total).toBe(1);
    });
    it('returns one service, and problems for unknown ids and modes', async () => {
      expect((await get('/api/v1/services/pthg.counter-check')).json().mode).toBe('counter');
      expectProblem(await get('/api/v1/services/pthg.none'), 404, 'catalogue.service-not-found');
      expectProblem(await get('/api/v1/services?mode=fax'), 400, 'request.invalid');
    });
  });

  describe('statistics', () => {
    it('counts datasets and services and reports zero uses on a new platform', async () => {
      expect((await get('/api/v1/statistics')).json()).toMatchObject({
        datasets: 2,
        dataProviders: 2,
        onlineServices: 1,
        counterServices: 1,
        downloads: 0,
        transfers: 0,
        counterRedemptions: 0,
        organisationsBySector: { 'central-government': 2, financial: 1, 'local-government': 1 },
      });
    });
  });

  describe('catalogue validation (dry run for integrators)', () => {
    const post = (payload: string, contentType = 'application/json') =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/catalogue/validate',
        payload,
        headers: { 'content-type': contentType },
      });

    it('accepts a consistent catalogue', async () => {
      const small = fixtureCatalogue();
      small.datasets[0]!.payloadSchema = { type: 'object', properties: { name: {}, address: {} } };
      small.datasets[1]!.payloadSchema = { type: 'object', properties: { total: {} } };
      const res = await post(JSON.stringify(small));
      expect(res.json()).toEqual({ valid: true, errors: [] });
    });
    it('reports broken references with their location', async () => {
      const broken = { organisations: [], datasets: [], services: [] } as Record<string, unknown[]>;
      const c = fixtureCatalogue();
      broken.services = [c.services[0] as unknown];
      const res = await post(JSON.stringify(broken));
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.valid).toBe(false);
      expect(body.errors).toContainEqual({
        pointer: '/services/0/providerId',
        message: 'no organisation "firstbank"',
      });
      expect(body.errors).toContainEqual({
        pointer: '/services/0/datasets/0/datasetId',
        message: 'no dataset "mof-fia.income"',
      });
    });
    it('refuses malformed JSON, a non-JSON body, an empty body and an oversize body', async () => {
      expectProblem(await post('{"organisations": ['), 400, 'request.malformed-json');
      expectProblem(await post('organisations', 'text/plain'), 415, 'request.unsupported-media-type');
      expectProblem(await post(''), 400, 'request.malformed-json');
      const big = JSON.stringify({ organisations: [], datasets: [], services: [], pad: 'x'.repeat(5000) });
      const body = expectProblem(await post(big), 413, 'request.body-too-large');
      expect(body.detail).toContain('4096');
    });
    it('refuses unknown fields and wrong types, naming each', async () => {
      const c = fixtureCatalogue() as unknown as { organisations: Record<string, unknown>[] };
      c.organisations[0]!.colour = 'blue';
      c.organisations[1]!.sector = 'church';
      const body = expectProblem(await post(JSON.stringify(c)), 400, 'request.invalid');
      expect(body.errors).toContainEqual({
        pointer: '/body/organisations/0/colour',
        message: 'unknown field; remove it',
      });
      expect(body.errors?.some((e) => e.pointer === '/body/organisations/1/sector')).toBe(true);
      expectProblem(await post('[]'), 400, 'request.invalid');
    });
  });
});
