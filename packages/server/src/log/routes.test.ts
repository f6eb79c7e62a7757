import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { generatePlatformKeys } from '../crypto/keys.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { type App, buildApp } from '../http/app.ts';
import { leafHash } from './merkle.ts';
import { createUsageLog, type UsageLog } from './repository.ts';
import { referenceConsistency, referencePath, referenceRoot } from './testing.ts';

describe('The usage-log API', () => {
  let t: TestDatabase;
  let app: App;
  let log: UsageLog;
  const leaves: Buffer[] = [];
  const b64 = (b: Buffer) => b.toString('base64');

  beforeAll(async () => {
    t = await createTestDatabase();
    log = createUsageLog({ db: t.db, keys: generatePlatformKeys(), origin: 'api.test/log' });
    app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), db: t.db, usageLog: log });
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });
  const expectProblem = async (url: string, status: number, code: string) => {
    const res = await get(url);
    expect(res.statusCode, url).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().code).toBe(code);
  };

  it('answers 404 before the first checkpoint', async () => {
    await expectProblem('/api/v1/log/checkpoint', 404, 'log.checkpoint-not-found');
  });

  it('serves checkpoints, the verifier key, proofs and leaves that agree with RFC 9162', async () => {
    for (let i = 0; i < 11; i++) {
      leaves.push((await log.append({ citizenId: 'A123456789', event: 'download' })).commitment);
    }
    await log.sequenceAll();
    await log.publishCheckpoint();
    const note = await get('/api/v1/log/checkpoint');
    expect(note.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(note.body.split('\n').slice(0, 3)).toEqual(['api.test/log', '11', b64(referenceRoot(leaves))]);
    expect((await get('/api/v1/log/checkpoints/11')).body).toBe(note.body);
    expect((await get('/api/v1/log/key')).body).toBe(`${log.verifierKey}\n`);
    expect((await get('/api/v1/log/proof/inclusion?index=3&size=11')).json()).toEqual({
      index: 3,
      treeSize: 11,
      hashes: referencePath(3, leaves).map(b64),
    });
    expect((await get('/api/v1/log/proof/consistency?first=6&second=11')).json()).toEqual({
      first: 6,
      second: 11,
      hashes: referenceConsistency(6, leaves).map(b64),
    });
    expect((await get('/api/v1/log/leaves?start=2&count=3')).json()).toEqual({
      start: 2,
      leaves: leaves.slice(2, 5).map(b64),
    });
    expect((await get('/api/v1/log/entries/10')).json()).toEqual({
      index: 10,
      commitment: b64(leaves[10] as Buffer),
      leafHash: b64(leafHash(leaves[10] as Buffer)),
    });
  });

  it('answers bad input to every endpoint with a problem', async () => {
    await expectProblem('/api/v1/log/checkpoints/12', 404, 'log.checkpoint-not-found');
    await expectProblem('/api/v1/log/checkpoints/eleven', 400, 'request.invalid');
    await expectProblem('/api/v1/log/proof/inclusion?index=11&size=11', 422, 'log.range-invalid');
    await expectProblem('/api/v1/log/proof/inclusion?index=0&size=12', 422, 'log.range-invalid');
    await expectProblem('/api/v1/log/proof/inclusion?index=-1&size=5', 400, 'request.invalid');
    await expectProblem('/api/v1/log/proof/inclusion?index=1', 400, 'request.invalid');
    await expectProblem('/api/v1/log/proof/inclusion?index=1&size=0', 400, 'request.invalid');
    await expectProblem('/api/v1/log/proof/inclusion?index=1&size=5&x=1', 400, 'request.invalid');
    await expectProblem('/api/v1/log/proof/consistency?first=7&second=6', 422, 'log.range-invalid');
    await expectProblem('/api/v1/log/proof/consistency?first=1&second=99', 422, 'log.range-invalid');
    await expectProblem('/api/v1/log/proof/consistency?first=a&second=6', 400, 'request.invalid');
    await expectProblem('/api/v1/log/leaves?start=11', 404, 'log.entry-not-found');
    await expectProblem('/api/v1/log/leaves?start=0&count=1001', 400, 'request.invalid');
    await expectProblem('/api/v1/log/entries/11', 404, 'log.entry-not-found');
    await expectProblem('/api/v1/log/entries/1.5', 400, 'request.invalid');
    const res = await get('/api/v1/log/proof/inclusion?index=99999999999999999999&size=5');
    expect(res.statusCode).toBe(400);
  });

  it('documents its endpoints in OpenAPI', async () => {
    const doc = (await get('/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/log/checkpoint',
        '/api/v1/log/checkpoints/{size}',
        '/api/v1/log/proof/inclusion',
        '/api/v1/log/proof/consistency',
        '/api/v1/log/leaves',
        '/api/v1/log/entries/{index}',
        '/api/v1/log/key',
      ]),
    );
  });
});
