import { AppError } from '@mydata/core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from './testing.ts';

describe('The platform HTTP application', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp();
    t.app.get('/test/boom', async () => {
      throw new Error('secret internal detail');
    });
    t.app.get('/test/rate-limited', async () => {
      throw new AppError('identity.rate-limited', { method: 'two-documents', retryAfterSeconds: 29.2 });
    });
    t.app.get('/test/locked', async () => {
      throw new AppError('identity.locked-out', {
        method: 'two-documents',
        until: new Date(Date.now() + 3600_000).toISOString(),
      });
    });
  });
  afterAll(() => t.close());

  it('serves a valid OpenAPI 3.1 document that lists every public route and its problem responses', async () => {
    const res = await t.app.inject('/openapi.json');
    expect(res.statusCode).toBe(200);
    const spec = res.json();
    expect(spec.openapi).toBe('3.1.0');
    const result = await new Validator().validate(spec);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const path of [
      '/api/v1/datasets',
      '/api/v1/datasets/{id}',
      '/api/v1/services',
      '/api/v1/statistics',
      '/readyz',
    ]) {
      expect(spec.paths).toHaveProperty([path]);
    }
    expect(spec.paths['/api/v1/datasets'].get.responses['4XX'].content).toHaveProperty([
      'application/problem+json',
    ]);
  });

  it('answers liveness and readiness, and stops being ready while draining', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
  });

  it('answers an unknown address with a 404 problem in zh-TW by default and English on request', async () => {
    const zh = await t.app.inject('/no/such/place?x=1');
    expect(zh.statusCode).toBe(404);
    expect(zh.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(zh.headers['content-language']).toBe('zh-TW');
    expect(zh.json()).toMatchObject({ code: 'request.not-found', status: 404, instance: '/no/such/place' });
    expect(zh.json().detail).toContain('不存在');
    const en = await t.app.inject({
      url: '/no/such/place',
      headers: { 'accept-language': 'en-GB,zh;q=0.5' },
    });
    expect(en.json().detail).toContain('does not exist');
  });

  it('keeps a well-formed caller request id and replaces one that could forge log lines', async () => {
    const kept = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'agency-42.abc' } });
    expect(kept.headers['x-request-id']).toBe('agency-42.abc');
    const replaced = await t.app.inject({ url: '/nope', headers: { 'x-request-id': 'evil\nline' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.json().requestId).toBe(replaced.headers['x-request-id']);
  });

  it('answers an unexpected failure with a bare 500 problem that leaks nothing but the request id', async () => {
    const res = await t.app.inject('/test/boom');
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body.code).toBe('server.internal');
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(body.detail).toContain(body.requestId);
  });

  it('tells a refused client when to try again with Retry-After', async () => {
    const limited = await t.app.inject('/test/rate-limited');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');
    const locked = await t.app.inject('/test/locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(3590);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(3600);
    expect((await t.app.inject('/nope')).headers['retry-after']).toBeUndefined();
  });

  it('describes each problem type at its type URI', async () => {
    const res = await t.app.inject('/problems/request.invalid');
    expect(res.json()).toMatchObject({ code: 'request.invalid', status: 400 });
    expect((await t.app.inject('/problems/constructor')).statusCode).toBe(404);
  });

  it('refuses readiness once draining starts', async () => {
    t.app.startDraining();
    const res = await t.app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('server.not-ready');
  });
});
