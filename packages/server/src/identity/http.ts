/**
 * Cookies and CSRF for the citizen's browser session.
 *
 * CSRF defence, two layers: (1) every state-changing request whose Origin (or Sec-Fetch-Site) shows
 * another site is refused, which also stops login CSRF before any session exists; (2) a request that
 * carries a session cookie must also carry `x-csrf-token`, a value derived from the session token that
 * only the platform's own pages can read (from GET /api/v1/identity/session). A synchronizer token
 * derived by hash needs no storage and changes with every session rotation; a custom header cannot be
 * sent cross-site without a CORS preflight the platform never grants. The API accepts JSON only, so
 * HTML forms (the classic CSRF vector) cannot reach it either.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@mydata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActiveSession, IdentityService } from './service.ts';

export const CSRF_HEADER = 'x-csrf-token';

export interface CookieNames {
  session: string;
  flow: string;
}

/** `__Host-` names (Secure, path /, no Domain) when the platform is served over https. */
export function cookieNames(secure: boolean): CookieNames {
  return secure
    ? { session: '__Host-mydata-session', flow: '__Host-mydata-signin' }
    : { session: 'mydata-session', flow: 'mydata-signin' };
}

/** The CSRF token that goes with a session token. */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`mydata-csrf-v1:${sessionToken}`).digest('base64url');
}

/** Reads one cookie from the Cookie header. */
export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,100}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/** Sets (or, with value null, clears) a cookie: HttpOnly, SameSite=Lax, path /, Secure under https. */
export function setCookie(
  reply: FastifyReply,
  name: string,
  value: string | null,
  opts: { secure: boolean; maxAgeSeconds?: number },
): void {
  const parts = [
    `${name}=${value ?? ''}`,
    'Path=/',
    'HttpOnly',
    // Lax, not Strict: a citizen following a service provider's link into the platform must arrive
    // signed in; Lax still withholds the cookie from cross-site POSTs.
    'SameSite=Lax',
  ];
  if (opts.secure) parts.push('Secure');
  if (value === null) parts.push('Max-Age=0');
  else if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${opts.maxAgeSeconds}`);
  const existing = reply.getHeader('set-cookie');
  const list = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
  reply.header('set-cookie', [...list, parts.join('; ')]);
}

/** Refuses a state-changing request from another site (Origin or Sec-Fetch-Site). */
export function checkOrigin(req: FastifyRequest, publicUrl: string): void {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null' && origin !== new URL(publicUrl).origin) {
    throw new AppError('identity.csrf-rejected', { reason: `origin ${origin} is not this platform` });
  }
  if (origin === 'null') throw new AppError('identity.csrf-rejected', { reason: 'opaque origin' });
  if (req.headers['sec-fetch-site'] === 'cross-site') {
    throw new AppError('identity.csrf-rejected', { reason: 'cross-site request' });
  }
}

/** Refuses a request with a session cookie but without the matching CSRF header. */
export function checkCsrfToken(req: FastifyRequest, sessionToken: string): void {
  const sent = req.headers[CSRF_HEADER];
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  if (
    typeof sent !== 'string' ||
    sent.length !== expected.length ||
    !timingSafeEqual(Buffer.from(sent), expected)
  ) {
    throw new AppError('identity.csrf-rejected', { reason: `missing or wrong ${CSRF_HEADER} header` });
  }
}

/** A guard other capabilities' routes share: the caller's session, with CSRF checks on state-changing requests. */
export function createSessionGuard(opts: { service: Pick<IdentityService, 'session'>; publicUrl: string }) {
  const secure = opts.publicUrl.startsWith('https:');
  const names = cookieNames(secure);
  return async function requireSession(req: FastifyRequest, reply: FastifyReply): Promise<ActiveSession> {
    const token = readCookie(req, names.session);
    const session = await opts.service.session(token);
    if (!session) {
      if (token) setCookie(reply, names.session, null, { secure });
      throw new AppError('identity.not-signed-in', {
        reason: token ? 'the session has ended' : 'no session',
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      checkOrigin(req, opts.publicUrl);
      checkCsrfToken(req, session.token);
    }
    return session;
  };
}

export type SessionGuard = ReturnType<typeof createSessionGuard>;
