import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Addresses that belong to the API and operations, never to the portal: an unknown one must stay a
 * problem+json 404 for programs, not turn into the portal's HTML.
 */
const NOT_PORTAL = [
  '/api/',
  '/openapi.json',
  '/healthz',
  '/readyz',
  '/problems/',
  '/.well-known/',
  '/developers/',
];

/**
 * Security headers of the portal's pages and files. The built portal has no inline script or style,
 * so the policy allows only files from this origin; frames are refused against clickjacking.
 */
export const PORTAL_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'geolocation=(), microphone=(), payment=()',
});

/** True for a browser navigating to a page of the portal (which the portal routes on its own). */
export function wantsPortalPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? '';
  if (NOT_PORTAL.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p))) return false;
  return (request.headers.accept ?? '').includes('text/html');
}

/** Answers with the portal's page shell; the portal then shows the page, or its own "not found". */
export function sendPortalPage(reply: FastifyReply) {
  reply.headers(PORTAL_SECURITY_HEADERS).header('cache-control', 'no-cache');
  return reply.code(200).type('text/html; charset=utf-8').sendFile('index.html');
}

/**
 * Serves the built portal (`vite build` output) from `root`. Hashed assets are cached for a year;
 * `index.html` is revalidated so a new release is picked up at once.
 */
export async function servePortal(app: FastifyInstance, root: string): Promise<void> {
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(
      `the web portal is not built: ${join(root, 'index.html')} is missing (run npm run build:web)`,
    );
  }
  await app.register(fastifyStatic, {
    root,
    // One route per file, found at start: an unknown address costs no disk lookup and falls through
    // to the not-found handler, which decides between the portal's page and a problem+json 404.
    wildcard: false,
    // Cache-Control is set below, per kind of file; send's default would overwrite it.
    cacheControl: false,
    setHeaders(res, path) {
      for (const [name, value] of Object.entries(PORTAL_SECURITY_HEADERS)) res.setHeader(name, value);
      res.setHeader(
        'cache-control',
        path.includes(`${join(root, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}
