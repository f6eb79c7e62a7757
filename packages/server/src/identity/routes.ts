import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, AssuranceLevel, meetsAssurance, type SessionTimeouts, SignInMethod } from '@mydata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type ContactSettings, ContactUpdate, ContactView } from './contact.ts';
import {
  checkCsrfToken,
  checkOrigin,
  cookieNames,
  createSessionGuard,
  csrfTokenFor,
  readCookie,
  setCookie,
} from './http.ts';
import { MobileNumberCodeRequest, MobileNumberCodeSent, type MobileNumberMethod } from './mobile-number.ts';
import { OIDC_CALLBACK_PATH, type OidcMethod, safeReturnPath } from './oidc.ts';
import { type PasskeyMethod, PasskeyRegistration } from './passkeys.ts';
import type { IdentityService, SignInResult } from './service.ts';

export interface IdentityRoutesOptions {
  service: IdentityService;
  publicUrl: string;
  timeouts: SessionTimeouts;
  /** Issues certificate challenges; absent when the certificate method is not configured. */
  challenge?: (now: Date) => Promise<{ challengeId: string; toBeSigned: string; expiresAt: string }>;
  /** Passkey (mobile citizen certificate) enrolment and sign-in options. */
  passkeys?: PasskeyMethod;
  /** Mobile number (行動化驗證): sends the SMS one-time code; absent when the method is not offered. */
  mobileNumber?: MobileNumberMethod;
  /** The national test CA's certificate and CRL, published for relying parties and the card tool. */
  nationalCa?: { cert: string; crl: () => Promise<Uint8Array> };
  /** Federation with an OpenID Connect identity provider; absent when none is configured. */
  oidc?: OidcMethod;
  /** The citizen's contact details for notifications. */
  contact?: ContactSettings;
  now?: () => Date;
}

const Methods = Type.Array(SignInMethod);
const SignInResponse = Type.Union([
  Type.Object({
    status: Type.Literal('signed-in'),
    assurance: AssuranceLevel,
    methods: Methods,
    csrfToken: Type.String({ description: `Send as the x-csrf-token header on state-changing requests` }),
  }),
  Type.Object({
    status: Type.Literal('second-method-required'),
    verified: Methods,
    candidates: Methods,
  }),
]);
const SessionView = Type.Object({
  assurance: AssuranceLevel,
  methods: Methods,
  createdAt: Type.String({ format: 'date-time' }),
  idleExpiresAt: Type.String({ format: 'date-time' }),
  absoluteExpiresAt: Type.String({ format: 'date-time' }),
  csrfToken: Type.String(),
});

/** Citizen sign-in, step-up and sessions under /identity. See docs/identity.md. */
export const identityRoutes: FastifyPluginAsyncTypebox<IdentityRoutesOptions> = async (app, opts) => {
  const { service, publicUrl, timeouts } = opts;
  const now = opts.now ?? (() => new Date());
  const secure = publicUrl.startsWith('https:');
  const names = cookieNames(secure);

  const requireSession = createSessionGuard({ service, publicUrl });

  function answer(reply: FastifyReply, result: SignInResult) {
    if (result.status === 'signed-in') {
      setCookie(reply, names.session, result.sessionToken, { secure });
      setCookie(reply, names.flow, null, { secure });
      return {
        status: result.status,
        assurance: result.assurance,
        methods: result.methods,
        csrfToken: csrfTokenFor(result.sessionToken),
      };
    }
    setCookie(reply, names.flow, result.flowToken, { secure, maxAgeSeconds: 600 });
    return { status: result.status, verified: result.verified, candidates: result.candidates };
  }

  app.get(
    '/identity/methods',
    {
      schema: {
        tags: ['identity'],
        summary: 'Sign-in methods this platform offers, with the assurance each gives',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                method: SignInMethod,
                assurance: AssuranceLevel,
                name: Type.Optional(
                  Type.Object(
                    { 'zh-TW': Type.String(), en: Type.String() },
                    { description: "A federated method's identity provider, as citizens know it" },
                  ),
                ),
              }),
            ),
          }),
        },
      },
    },
    async () => ({
      items: service
        .methods()
        .map((m) => (m.method === 'oidc' && opts.oidc ? { ...m, name: opts.oidc.name } : m)),
    }),
  );

  if (opts.oidc) {
    const oidc = opts.oidc;
    const callbackPath = OIDC_CALLBACK_PATH.replace(/^\/api\/v1/, '');
    const flowCookie = `${names.flow}-oidc`;
    /** A browser is sent back to the sign-in page with the error's code; other clients get problem+json. */
    const wantsPage = (req: FastifyRequest) => /text\/html/.test(req.headers.accept ?? '');
    const toSignIn = (returnTo: string, extra: Record<string, string>) =>
      `/sign-in?${new URLSearchParams({ ...(returnTo === '/' ? {} : { return: returnTo }), ...extra })}`;
    function failed(req: FastifyRequest, reply: FastifyReply, error: unknown, returnTo: string) {
      if (!(error instanceof AppError) || !wantsPage(req)) throw error;
      reply.header('cache-control', 'no-store');
      return reply.redirect(toSignIn(returnTo, { error: error.code }), 303);
    }

    app.get(
      '/identity/oidc/start',
      {
        schema: {
          tags: ['identity'],
          summary: 'Sign in (or step up) through the configured OpenID Connect identity provider',
          description:
            'A full-page navigation: answers 303 to the provider (authorization code, PKCE S256, state, nonce) with a sign-in flow cookie; the provider sends the browser back to /identity/oidc/callback.',
          querystring: Type.Object(
            { return: Type.Optional(Type.String({ maxLength: 500 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const returnTo = safeReturnPath(req.query.return);
        try {
          const started = await oidc.start(returnTo, now());
          setCookie(reply, flowCookie, started.flowCookie, { secure, maxAgeSeconds: 600 });
          reply.header('cache-control', 'no-store');
          return reply.redirect(started.url, 303);
        } catch (error) {
          return failed(req, reply, error, returnTo);
        }
      },
    );

    app.get(
      callbackPath,
      {
        schema: {
          tags: ['identity'],
          summary: "The identity provider's answer (redirect URI)",
          description:
            'Checks state and iss, exchanges the code server-side, validates the ID token and verifies the oidc method like any other: signs in, continues a first use, or steps up. Answers 303 to the page the sign-in started from, or to /sign-in with the outcome.',
        },
      },
      async (req, reply) => {
        setCookie(reply, flowCookie, null, { secure });
        reply.header('cache-control', 'no-store');
        let returnTo = '/';
        try {
          const at = now();
          const flow = await oidc.resume(readCookie(req, flowCookie), at);
          returnTo = flow.returnTo;
          const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
          const ticket = await flow.finish(query);
          const live = await service.session(readCookie(req, names.session));
          const result = await service.verify('oidc', ticket, {
            sessionToken: live?.token,
            flowToken: live ? undefined : readCookie(req, names.flow),
            address: req.ip,
          });
          answer(reply, result);
          if (result.status === 'signed-in') return reply.redirect(returnTo, 303);
          return reply.redirect(
            toSignIn(returnTo, {
              verified: result.verified.join(','),
              candidates: result.candidates.join(','),
            }),
            303,
          );
        } catch (error) {
          return failed(req, reply, error, returnTo);
        }
      },
    );
  }

  if (opts.challenge) {
    const challenge = opts.challenge;
    app.post(
      '/identity/challenges',
      {
        schema: {
          tags: ['identity'],
          summary: 'A fresh single-use challenge for a citizen-certificate signature',
          response: {
            201: Type.Object({
              challengeId: Type.String(),
              toBeSigned: Type.String({ description: 'Sign these UTF-8 bytes with ECDSA P-256 SHA-256' }),
              expiresAt: Type.String({ format: 'date-time' }),
            }),
          },
        },
      },
      async (req, reply) => {
        checkOrigin(req, publicUrl);
        return reply.code(201).send(await challenge(now()));
      },
    );
  }

  if (opts.mobileNumber) {
    const mobile = opts.mobileNumber;
    app.post(
      '/identity/mobile-number/codes',
      {
        schema: {
          tags: ['identity'],
          summary:
            'Mobile number (行動化驗證): check the number and NHI card number, then text a one-time code',
          description:
            'A telecom operator checks that the mobile number is registered to the citizen and the NHI administration that the card number is theirs; then a 6-digit code is sent by SMS, valid 5 minutes and 5 tries. Send it with codeId to POST /identity/verify/mobile-number. A new code replaces the last; at most one a minute and five an hour.',
          body: MobileNumberCodeRequest,
          response: { 201: MobileNumberCodeSent },
        },
      },
      async (req, reply) => {
        checkOrigin(req, publicUrl);
        const live = await service.session(readCookie(req, names.session));
        if (live) checkCsrfToken(req, live.token);
        const sent = await service.prepare(
          'mobile-number',
          {
            name: 'send',
            claimedNationalId: mobile.claimedNationalId(req.body),
            run: (at) => mobile.sendCode(req.body, at),
          },
          { sessionToken: live?.token, flowToken: readCookie(req, names.flow), address: req.ip },
        );
        reply.header('cache-control', 'no-store');
        return reply.code(201).send(sent);
      },
    );
  }

  for (const { method } of service.methods()) {
    const auth = service.authenticator(method);
    if (auth.federated) continue;
    app.post(
      `/identity/verify/${method}`,
      {
        schema: {
          tags: ['identity'],
          summary: `Verify with ${method} (${auth.assurance}): sign in, continue a first use, or step up`,
          description:
            'Without a session: signs in (a first use needs a second, different method). With a session (and its x-csrf-token): steps the session up; the session cookie is replaced.',
          body: auth.body,
          response: { 200: SignInResponse },
        },
      },
      async (req, reply) => {
        checkOrigin(req, publicUrl);
        const sessionToken = readCookie(req, names.session);
        const live = await service.session(sessionToken);
        if (live) checkCsrfToken(req, live.token);
        const result = await service.verify(method, req.body, {
          sessionToken: live?.token,
          flowToken: readCookie(req, names.flow),
          address: req.ip,
        });
        return answer(reply, result);
      },
    );
  }

  app.get(
    '/identity/session',
    {
      schema: {
        tags: ['identity'],
        summary: 'The current session: its assurance, methods, timeouts and CSRF token',
        response: { 200: SessionView },
      },
    },
    async (req, reply) => {
      const s = await requireSession(req, reply);
      reply.header('cache-control', 'no-store');
      return {
        assurance: s.assurance,
        methods: s.methods,
        createdAt: s.createdAt.toISOString(),
        idleExpiresAt: new Date(s.lastSeenAt.getTime() + timeouts.idleSeconds * 1000).toISOString(),
        absoluteExpiresAt: new Date(s.createdAt.getTime() + timeouts.absoluteSeconds * 1000).toISOString(),
        csrfToken: csrfTokenFor(s.token),
      };
    },
  );

  app.get(
    '/identity/step-up',
    {
      schema: {
        tags: ['identity'],
        summary: 'Whether the session meets an assurance level, and which methods would lift it',
        querystring: Type.Object({ required: AssuranceLevel }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            required: AssuranceLevel,
            current: AssuranceLevel,
            satisfied: Type.Boolean(),
            candidates: Methods,
          }),
        },
      },
    },
    async (req, reply) => {
      const s = await requireSession(req, reply);
      const candidates = await service.stepUpOptions(s, req.query.required);
      return {
        required: req.query.required,
        current: s.assurance,
        satisfied: meetsAssurance(s.assurance, req.query.required),
        candidates,
      };
    },
  );

  app.post(
    '/identity/sign-out',
    { schema: { tags: ['identity'], summary: 'Ends this session', response: { 204: Type.Null() } } },
    async (req, reply) => {
      const s = await requireSession(req, reply);
      await service.signOut(s);
      setCookie(reply, names.session, null, { secure });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/identity/sign-out-everywhere',
    {
      schema: {
        tags: ['identity'],
        summary: 'Ends every session of the signed-in citizen, on every device',
        response: { 200: Type.Object({ ended: Type.Integer() }) },
      },
    },
    async (req, reply) => {
      const s = await requireSession(req, reply);
      const ended = await service.signOutEverywhere(s);
      setCookie(reply, names.session, null, { secure });
      return { ended };
    },
  );

  if (opts.passkeys) {
    const passkeys = opts.passkeys;
    const Passkey = Type.Object({
      id: Type.String(),
      createdAt: Type.String({ format: 'date-time' }),
      lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    });
    const Options = Type.Object({
      challengeId: Type.String(),
      options: Type.Record(Type.String(), Type.Unknown(), { description: 'WebAuthn options, JSON' }),
    });

    /** Enrolment vouches for a new method, so it needs the strongest session there is. */
    async function requireHigh(req: FastifyRequest, reply: FastifyReply) {
      const s = await requireSession(req, reply);
      if (!meetsAssurance(s.assurance, 'high')) {
        const candidates = await service.stepUpOptions(s, 'high');
        throw new AppError('identity.step-up-required', {
          required: 'high',
          current: s.assurance,
          candidates: candidates.join(', '),
        });
      }
      return s;
    }

    app.post(
      '/identity/passkey-challenges',
      {
        schema: {
          tags: ['identity'],
          summary: 'Options for signing in with a passkey (navigator.credentials.get)',
          response: { 201: Options },
        },
      },
      async (req, reply) => {
        checkOrigin(req, publicUrl);
        return reply.code(201).send(await passkeys.authenticationOptions(now()));
      },
    );

    app.post(
      '/identity/passkeys/options',
      {
        schema: {
          tags: ['identity'],
          summary: 'Options for enrolling a passkey (navigator.credentials.create); needs a high session',
          response: { 201: Options },
        },
      },
      async (req, reply) => {
        const s = await requireHigh(req, reply);
        return reply.code(201).send(await passkeys.registrationOptions(s.citizenId, now()));
      },
    );

    app.post(
      '/identity/passkeys',
      {
        schema: {
          tags: ['identity'],
          summary: 'Enrol a passkey as the mobile citizen certificate; needs a high session',
          body: PasskeyRegistration,
          response: {
            201: Type.Object({ id: Type.String(), createdAt: Type.String({ format: 'date-time' }) }),
          },
        },
      },
      async (req, reply) => {
        const s = await requireHigh(req, reply);
        return reply.code(201).send(await passkeys.register(s.citizenId, req.body as never, now()));
      },
    );

    app.get(
      '/identity/passkeys',
      {
        schema: {
          tags: ['identity'],
          summary: "The signed-in citizen's passkeys",
          response: { 200: Type.Object({ items: Type.Array(Passkey) }) },
        },
      },
      async (req, reply) => {
        const s = await requireSession(req, reply);
        return { items: await passkeys.list(s.citizenId) };
      },
    );

    app.delete(
      '/identity/passkeys/:id',
      {
        schema: {
          tags: ['identity'],
          summary: 'Remove one of your passkeys',
          params: Type.Object(
            { id: Type.String({ minLength: 1, maxLength: 400 }) },
            { additionalProperties: false },
          ),
          response: { 204: Type.Null() },
        },
      },
      async (req, reply) => {
        const s = await requireSession(req, reply);
        await passkeys.remove(s.citizenId, req.params.id, now());
        return reply.code(204).send(null);
      },
    );
  }

  if (opts.contact) {
    const contact = opts.contact;
    app.get(
      '/identity/contact',
      {
        schema: {
          tags: ['identity'],
          summary: 'Where the signed-in citizen is notified: e-mail address and mobile number',
          response: { 200: ContactView },
        },
      },
      async (req, reply) => {
        const s = await requireSession(req, reply);
        reply.header('cache-control', 'no-store');
        return contact.get(s.citizenId);
      },
    );
    app.put(
      '/identity/contact',
      {
        schema: {
          tags: ['identity'],
          summary: 'Change where the signed-in citizen is notified',
          description:
            'E-mail syntax and a Taiwan mobile number (09 and 8 digits) are checked; null removes one. A change is logged in the usage log (contact-changed) and told to the old addresses.',
          body: ContactUpdate,
          response: { 200: Type.Object({ ...ContactView.properties, changed: Type.Boolean() }) },
        },
      },
      async (req, reply) => {
        const s = await requireSession(req, reply);
        reply.header('cache-control', 'no-store');
        return contact.update(s.citizenId, req.body, req.body.lang);
      },
    );
  }

  if (opts.nationalCa) {
    const ca = opts.nationalCa;
    app.get(
      '/identity/ca/certificate',
      { schema: { tags: ['identity'], summary: 'The national test CA certificate (PEM)' } },
      async (_req, reply) => reply.type('application/x-pem-file').send(ca.cert),
    );
    app.get(
      '/identity/ca/crl',
      { schema: { tags: ['identity'], summary: 'The national test CA revocation list (DER)' } },
      async (_req, reply) =>
        reply
          .type('application/pkix-crl')
          .header('cache-control', 'max-age=300')
          .send(Buffer.from(await ca.crl())),
    );
  }
};
