import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { type App, buildApp } from '../http/app.ts';
import { GUIDE_PAGES } from './guide.ts';

const NASTY = `# Consent

Some text <script>alert("x")</script> and <img src=x onerror="alert(1)">.

<div onclick="steal()">block html</div>

See [the package](package.md), [a section](protocol.md#the-token), [here](#consent),
[in the repo](docs/protocol.md), [a file](exchange-test-vectors.json), [up](../README.md),
[bad](javascript:alert(1)), [not in the guide](secret.md) and [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457).

![diagram](https://evil.example/track.png)

| a | b |
|---|---|
| \`<b>\` | x |

\`\`\`html
<script>alert(2)</script>
\`\`\`
`;

describe('The developer guide', () => {
  let database: TestDatabase;
  let app: App;
  let scratch: App;
  let dir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    app = await buildApp({ config, db: database.db });
    dir = mkdtempSync(join(tmpdir(), 'mydata-guide-'));
    writeFileSync(join(dir, 'consent.md'), NASTY);
    writeFileSync(join(dir, 'package.md'), '# Package\n');
    writeFileSync(join(dir, 'protocol.md'), '# Protocol\n\n## The token\n');
    writeFileSync(join(dir, 'secret.md'), '# Not listed\n');
    scratch = await buildApp({ config, db: database.db, developerGuide: { docsDir: dir } });
  });
  afterAll(async () => {
    await app?.close();
    await scratch?.close();
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = (a: App, url: string, headers: Record<string, string> = {}) =>
    a.inject({ method: 'GET', url, headers });

  it('has an index of the fixed list of docs, in zh-TW by default and in English when asked', async () => {
    const zh = await get(app, '/developers');
    expect(zh.statusCode).toBe(200);
    expect(zh.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(zh.headers['content-security-policy']).toContain("script-src 'self'");
    expect(zh.body).toContain('<html lang="zh-TW">');
    expect(zh.body).toContain('開發者指南');
    for (const name of [
      'getting-started-service',
      'getting-started-data-provider',
      'webhooks',
      'test-personas',
      'protocol',
    ]) {
      const page = GUIDE_PAGES.find((p) => p.name === name);
      expect(zh.body).toContain(`href="/developers/${name}?lang=zh-TW"`);
      expect(zh.body).toContain(page?.title['zh-TW']);
    }
    expect(zh.body).not.toContain('<script');

    const en = await get(app, '/developers', { 'accept-language': 'en-GB,en;q=0.9' });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Developer guide');
    expect((await get(app, '/developers?lang=en')).body).toContain('<html lang="en">');
    expect((await get(app, '/developers?lang=fr')).statusCode).toBe(400);
  });

  it('renders a doc of the repository as a page with the guide around it', async () => {
    const res = await get(app, '/developers/webhooks?lang=en');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<article lang="en">');
    expect(res.body).toMatch(/<h1 id="[^"]+">[^<]*[Ww]ebhook/);
    expect(res.body).toContain('aria-current="page"');
    expect(res.body).toContain('href="/developers/webhooks?lang=zh-TW"');
    expect(res.body).not.toContain('<script');
    const css = await get(app, '/developers/guide.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers a page it does not have, or a path, with a 404 problem', async () => {
    for (const url of ['/developers/nothing-here', '/developers/..%2Fpackage.json', '/developers/README']) {
      const res = await get(app, url, { accept: 'text/html' });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().code).toBe('developers.page-not-found');
    }
    // A doc in the folder but not in the guide's list is not served either.
    const secret = await get(scratch, '/developers/secret');
    expect(secret.statusCode).toBe(404);
    expect(secret.json().code).toBe('developers.page-not-found');
    const nested = await get(app, '/developers/a/b', { accept: 'text/html' });
    expect(nested.statusCode).toBe(404);
    expect(nested.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('shows raw HTML of a doc as text, never as markup', async () => {
    const { body } = await get(scratch, '/developers/consent');
    expect(body).not.toMatch(/<script|<img|<div onclick|href="javascript:/i);
    expect(body).toContain('&lt;script&gt;alert(');
    expect(body).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(body).toContain('&lt;div onclick=&quot;steal()&quot;&gt;');
    expect(body).toContain('<code>&lt;b&gt;</code>');
    expect(body).toContain(
      '<pre tabindex="0"><code class="language-html">&lt;script&gt;alert(2)&lt;/script&gt;',
    );
    expect(body).not.toContain('evil.example');
  });

  it('rewrites links between docs to guide pages and unlinks files it does not serve', async () => {
    const { body } = await get(scratch, '/developers/consent');
    expect(body).toContain('<a href="/developers/package">the package</a>');
    expect(body).toContain('<a href="/developers/protocol#the-token">a section</a>');
    expect(body).toContain('<a href="/developers/protocol">in the repo</a>');
    expect(body).toContain('<a href="#consent">here</a>');
    expect(body).toContain('<h1 id="consent">Consent</h1>');
    expect(body).toContain(
      '<a href="https://www.rfc-editor.org/rfc/rfc9457" rel="noopener noreferrer">RFC 9457</a>',
    );
    for (const text of ['a file', 'up', 'bad', 'not in the guide']) {
      expect(body).toContain(`<span class="unlinked">${text}</span>`);
    }
    // Only pages present in the folder are listed.
    expect(body).not.toContain('/developers/webhooks');
  });
});
