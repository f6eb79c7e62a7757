import { monthOf } from '@mydata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../http/testing.ts';
import { createStatisticsRepo } from './repository.ts';

const LOAN = 'firstbank.loan';
const INCOME = 'mof-fia.income';
const HOUSEHOLD = 'moi-household.household-registration';

describe('The statistics API', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp();
    const stats = createStatisticsRepo(t.database.db);
    const use = (kind: 'download' | 'transfer', at: string, datasetIds: string[], serviceId?: string) =>
      stats.recordUse({ kind, datasetIds, at: new Date(at), ...(serviceId ? { serviceId } : {}) });
    await use('transfer', '2026-01-15T00:00:00Z', [INCOME, HOUSEHOLD], LOAN);
    await use('transfer', '2026-02-01T00:00:00Z', [INCOME], LOAN);
    await use('download', '2026-02-02T00:00:00Z', [HOUSEHOLD]);
    await use('download', '2026-02-03T00:00:00Z', [HOUSEHOLD, INCOME]);
    // A service that is not in the catalogue keeps its history.
    await use('transfer', '2026-03-01T00:00:00Z', [INCOME], 'gone.service');
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers });
  const problem = async (url: string, code: string, params: string[] = []) => {
    const res = await get(url, { 'accept-language': 'zh-TW' });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body.code).toBe(code);
    for (const p of params) expect(body.detail).toContain(p);
    return body;
  };

  it('reports the integration shares against the 22 local governments', async () => {
    const body = (await get('/api/v1/statistics')).json();
    expect(body.integration).toEqual({
      localGovernments: { integrated: 1, total: 22 },
      financialInstitutions: { integrated: 1 },
    });
    expect(body).toMatchObject({ transfers: 3, downloads: 2 });
  });

  it('groups uses by month, one use however many datasets it carried', async () => {
    const res = await get('/api/v1/statistics/usage?from=2026-01&to=2026-03');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ from: '2026-01', to: '2026-03', by: 'month' });
    expect(res.json().rows).toEqual([
      { month: '2026-01', kind: 'transfer', count: 1 },
      { month: '2026-02', kind: 'download', count: 2 },
      { month: '2026-02', kind: 'transfer', count: 1 },
      { month: '2026-03', kind: 'transfer', count: 1 },
    ]);
    const transfers = (await get('/api/v1/statistics/usage?from=2026-01&to=2026-02&kind=transfer')).json();
    expect(transfers.rows).toEqual([
      { month: '2026-01', kind: 'transfer', count: 1 },
      { month: '2026-02', kind: 'transfer', count: 1 },
    ]);
  });

  it('groups uses by dataset and by service, with names', async () => {
    const byDataset = (await get('/api/v1/statistics/usage?from=2026-01&to=2026-02&by=dataset')).json();
    expect(byDataset.rows).toEqual([
      {
        datasetId: INCOME,
        name: expect.objectContaining({ en: expect.any(String) }),
        kind: 'transfer',
        count: 2,
      },
      { datasetId: HOUSEHOLD, name: expect.any(Object), kind: 'download', count: 2 },
      { datasetId: INCOME, name: expect.any(Object), kind: 'download', count: 1 },
      { datasetId: HOUSEHOLD, name: expect.any(Object), kind: 'transfer', count: 1 },
    ]);
    const byService = (await get('/api/v1/statistics/usage?from=2026-01&to=2026-03&by=service')).json();
    expect(byService.rows).toEqual([
      {
        serviceId: LOAN,
        name: expect.objectContaining({ 'zh-TW': expect.any(String) }),
        kind: 'transfer',
        count: 2,
      },
      { serviceId: 'gone.service', kind: 'transfer', count: 1 },
    ]);
  });

  it('defaults to the twelve months up to this one', async () => {
    const body = (await get('/api/v1/statistics/usage')).json();
    expect(body.to).toBe(monthOf(new Date()));
    const [y, m] = body.to.split('-').map(Number);
    const from = new Date(Date.UTC(y, m - 1 - 11, 1));
    expect(body.from).toBe(monthOf(from));
  });

  it('answers CSV with a byte-order mark, by Accept or format, safe for spreadsheets', async () => {
    await createStatisticsRepo(t.database.db).recordUse({
      kind: 'transfer',
      serviceId: '=cmd|calc',
      datasetIds: [INCOME],
      at: new Date('2026-04-01T00:00:00Z'),
    });
    const res = await get('/api/v1/statistics/usage?from=2026-01&to=2026-04&by=service', {
      accept: 'text/csv',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="mydata-usage-service-2026-01-2026-04.csv"',
    );
    expect(res.body.startsWith('\uFEFFservice_id,name_zh_tw,name_en,kind,count\r\n')).toBe(true);
    expect(res.body).toContain(`\r\n${LOAN},`);
    expect(res.body).toContain("\r\n'=cmd|calc,,,transfer,1\r\n");
    const byFormat = await get('/api/v1/statistics/usage?from=2026-01&to=2026-02&format=csv');
    expect(byFormat.body).toBe(
      '\uFEFFmonth,kind,count\r\n2026-01,transfer,1\r\n2026-02,download,2\r\n2026-02,transfer,1\r\n',
    );
    // format=json wins over the Accept header.
    const json = await get('/api/v1/statistics/usage?format=json', { accept: 'text/csv' });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
  });

  it('refuses bad months, reversed and over-long periods with statistics errors', async () => {
    await problem('/api/v1/statistics/usage?from=2026-13', 'statistics.invalid-month', ['from', '2026-13']);
    await problem('/api/v1/statistics/usage?to=26-01', 'statistics.invalid-month', ['to', '26-01']);
    await problem('/api/v1/statistics/usage?from=2026-1-1', 'statistics.invalid-month');
    await problem('/api/v1/statistics/usage?from=2026-05&to=2026-04', 'statistics.range-reversed', [
      '2026-05',
      '2026-04',
    ]);
    await problem('/api/v1/statistics/usage?from=2023-01&to=2026-01', 'statistics.range-too-long', [
      '37',
      '36',
    ]);
    expect((await get('/api/v1/statistics/usage?from=2023-02&to=2026-01')).statusCode).toBe(200);
    const bad = await get('/api/v1/statistics/usage?by=agency&kind=gift');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('request.invalid');
  });
});
