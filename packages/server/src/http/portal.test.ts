import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { type App, buildApp } from './app.ts';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('Serving the web portal', () => {
  let app: App;
  let database: TestDatabase;
  let webRoot: string;

  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'mydata-web-'));
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(
      join(webRoot, 'index.html'),
      '<!doctype html><html lang="zh-TW"><title>MyData</title></html>',
    );
    writeFileSync(join(webRoot, 'assets', 'index-abc123.js'), 'console.log("portal")');
    database = await createTestDatabase();
    app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), db: database.db, webRoot });
  });
  afterAll(async () => {
    await app.close();
    await database.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  it('serves the portal at / with a strict Content-Security-Policy', async () => {
    const res = await app.inject({ url: '/', headers: HTML });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('serves hashed assets to be cached for good', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it("answers a page address with the portal's shell, which routes it in the browser", async () => {
    for (const url of ['/datasets', '/services/boca.passport-renewal?x=1', '/no-such-page']) {
      const res = await app.inject({ url, headers: HTML });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<title>MyData</title>');
      expect(res.headers['content-security-policy'], url).toContain("default-src 'self'");
    }
  });

  it('keeps unknown API and operations addresses problem+json 404s, even for a browser', async () => {
    for (const url of [
      '/api/v1/no-such-thing',
      '/api',
      '/problems/nope',
      '/openapi.json/x',
      '/.well-known/x',
    ]) {
      const res = await app.inject({ url, headers: HTML });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
      expect(res.json().code, url).toBe('request.not-found');
    }
  });

  it('keeps programs that do not ask for HTML, and other methods, on problem+json', async () => {
    const json = await app.inject({ url: '/datasets', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(404);
    expect(json.json().code).toBe('request.not-found');
    const post = await app.inject({ method: 'POST', url: '/datasets', headers: HTML, payload: {} });
    expect(post.statusCode).toBe(404);
  });

  it('still serves the API beside the portal', async () => {
    const res = await app.inject({ url: '/api/v1/datasets', headers: HTML });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveProperty('items');
  });
});
