import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, type Language, negotiateLanguage } from '@mydata/core';
import { Type } from 'typebox';
import { PORTAL_SECURITY_HEADERS } from '../http/portal.ts';
import { createGuide, GUIDE_STYLESHEET } from './guide.ts';

/** The repository's docs folder, where the guide's pages are written. */
export const DEFAULT_DOCS_DIR = fileURLToPath(new URL('../../../../docs/', import.meta.url));

const LangQuery = Type.Object(
  { lang: Type.Optional(Type.Enum(['zh-TW', 'en'], { description: 'Language of the page chrome' })) },
  { additionalProperties: false },
);

/**
 * The developer guide at /developers: a fixed set of docs rendered on the server as plain HTML
 * pages (no script), so that it reads without the portal and is linkable page by page.
 */
export const developerGuideRoutes: FastifyPluginAsyncTypebox<{ docsDir?: string }> = async (app, o) => {
  const guide = createGuide(o.docsDir ?? DEFAULT_DOCS_DIR);
  const language = (q: { lang?: Language | undefined }, accept: string | undefined): Language =>
    q.lang ?? negotiateLanguage(accept);
  const html = (body: string) => ({ body, type: 'text/html; charset=utf-8' });

  app.get('/developers/guide.css', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .headers(PORTAL_SECURITY_HEADERS)
      .header('cache-control', 'public, max-age=3600')
      .type('text/css; charset=utf-8')
      .send(GUIDE_STYLESHEET),
  );

  app.get('/developers', { schema: { hide: true, querystring: LangQuery } }, async (req, reply) => {
    const page = html(guide.index(language(req.query, req.headers['accept-language'])));
    return reply
      .headers(PORTAL_SECURITY_HEADERS)
      .header('cache-control', 'no-cache')
      .header('vary', 'accept-language')
      .type(page.type)
      .send(page.body);
  });

  app.get(
    '/developers/:page',
    {
      schema: {
        hide: true,
        params: Type.Object({ page: Type.String({ maxLength: 100 }) }),
        querystring: LangQuery,
      },
    },
    async (req, reply) => {
      const body = guide.page(req.params.page, language(req.query, req.headers['accept-language']));
      if (body === undefined) throw new AppError('developers.page-not-found', { page: req.params.page });
      return reply
        .headers(PORTAL_SECURITY_HEADERS)
        .header('cache-control', 'no-cache')
        .header('vary', 'accept-language')
        .type('text/html; charset=utf-8')
        .send(body);
    },
  );
};
