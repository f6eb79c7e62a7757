/**
 * The platform's side of the authorization flow that is not oidc-provider's: the consent screen's
 * API (the portal page /consent/:uid reads and answers the interaction) and the package endpoint,
 * the one protected resource, guarded by a DPoP-bound access token.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AppError,
  type AssuranceLevel,
  ERROR_CATALOGUE,
  type ErrorCode,
  formatErrorDetail,
  meetsAssurance,
  negotiateLanguage,
  strongestAssurance,
} from '@mydata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { Type } from 'typebox';
import type { Db } from '../db/database.ts';
import { replyWithProblem } from '../http/problem.ts';
import { createSessionGuard } from '../identity/http.ts';
import type { ActiveSession, IdentityService } from '../identity/service.ts';
import { revokeGrant } from './adapter.ts';
import type { AcceptResult, ConsentPort, MydataAuthorizationDetail } from './consent-port.ts';
import { verifyDpopProof } from './dpop.ts';
import { ACR_VALUES, packageResource } from './provider.ts';

export const PACKAGE_PATH = '/api/v1/transfer/package';
export const PROGRESS_PATH = '/api/v1/transfer/progress';

export interface OAuthRoutesOptions {
  provider: Provider;
  db: Db;
  publicUrl: string;
  identity: Pick<IdentityService, 'session' | 'stepUpOptions'>;
  consent: ConsentPort;
  now?: () => Date;
}

type Interaction = InstanceType<Provider['Interaction']>;

const Uid = Type.Object(
  { uid: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
const Redirect = Type.Object({ status: Type.Literal('redirect'), redirectTo: Type.String() });
const Decision = Type.Union([
  Type.Object(
    {
      decision: Type.Literal('accept'),
      datasets: Type.Array(Type.String({ minLength: 1, maxLength: 80 }), {
        minItems: 1,
        maxItems: 50,
        uniqueItems: true,
      }),
      // Multi-person services: who the applicant names for each other party (docs/multi-person.md).
      parties: Type.Optional(
        Type.Array(
          Type.Object(
            {
              role: Type.String({ minLength: 1, maxLength: 40 }),
              nationalId: Type.String({ minLength: 1, maxLength: 20 }),
              contact: Type.Union([
                Type.Object(
                  { email: Type.String({ minLength: 3, maxLength: 254 }) },
                  { additionalProperties: false },
                ),
                Type.Object(
                  { mobile: Type.String({ minLength: 1, maxLength: 20 }) },
                  { additionalProperties: false },
                ),
              ]),
            },
            { additionalProperties: false },
          ),
          { maxItems: 10 },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object({ decision: Type.Literal('decline') }, { additionalProperties: false }),
]);
const AnyObject = Type.Object({}, { additionalProperties: true });

const notFound = (reason: string) => new AppError('consent.interaction-not-found', { reason });

/** The `mydata` detail of an interaction's authorization request. */
function detailOf(interaction: Interaction): MydataAuthorizationDetail {
  const raw = interaction.params.authorization_details;
  const details = typeof raw === 'string' ? (JSON.parse(raw) as MydataAuthorizationDetail[]) : [];
  const detail = details.find((d) => d.type === 'mydata');
  if (!detail) throw notFound('the request has no mydata authorization detail');
  return detail;
}

/** The consent screen API and the package endpoint. See docs/protocol.md. */
export const oauthRoutes: FastifyPluginAsyncTypebox<OAuthRoutesOptions> = async (app, opts) => {
  const { provider, db, publicUrl, identity, consent } = opts;
  const now = opts.now ?? (() => new Date());
  const requireSession = createSessionGuard({ service: identity, publicUrl });
  const epoch = () => Math.floor(now().getTime() / 1000);

  /** A live interaction still waiting for the citizen's decision. */
  async function openInteraction(uid: string): Promise<Interaction> {
    const interaction = await provider.Interaction.find(uid);
    if (!interaction || interaction.exp <= epoch()) throw notFound('unknown or expired');
    if (interaction.result) throw notFound('already answered');
    return interaction;
  }

  const answering = new Map<string, Promise<unknown>>();
  /** Runs answers to one interaction one after the other (in this process); a later one finds it answered. */
  function oneAtATime<T>(uid: string, answer: () => Promise<T>): Promise<T> {
    const before = answering.get(uid) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(answer);
    answering.set(uid, mine);
    const forget = () => {
      if (answering.get(uid) === mine) answering.delete(uid);
    };
    mine.then(forget, forget);
    return mine;
  }

  async function pendingOf(uid: string) {
    return db.selectFrom('oauth_interactions').selectAll().where('uid', '=', uid).executeTakeFirst();
  }

  /** An interaction already answered by one citizen is no one else's to answer. */
  function assertHolder(row: { citizen_id: string } | undefined, session: ActiveSession) {
    if (row && row.citizen_id !== session.citizenId) throw notFound('another citizen is answering it');
  }

  async function finishWith(interaction: Interaction, result: Record<string, unknown>): Promise<string> {
    interaction.result = result;
    await interaction.save(Math.max(1, interaction.exp - epoch()));
    await db.deleteFrom('oauth_interactions').where('uid', '=', interaction.uid).execute();
    return interaction.returnTo;
  }

  /** After an accepted consent whose package is ready: the grant, then the interaction's result. */
  async function grantAndFinish(
    interaction: Interaction,
    session: ActiveSession,
    detail: MydataAuthorizationDetail,
    consentId: string,
    chosen: string[],
  ): Promise<string> {
    const clientId = String(interaction.params.client_id);
    const grant = new provider.Grant({ accountId: session.citizenId, clientId });
    grant.addOIDCScope('openid');
    grant.addRar({ ...detail, datasets: chosen, consentId });
    const grantId = await grant.save();
    await consent.attachGrant(consentId, grantId);
    return finishWith(interaction, {
      login: {
        accountId: session.citizenId,
        acr: ACR_VALUES[session.assurance],
        amr: [...session.methods],
        remember: false,
      },
      consent: { grantId },
    });
  }

  /** The answer to accept or retry: a redirect, or the collection's problem with the consent to retry. */
  async function answer(
    reply: FastifyReply,
    interaction: Interaction,
    session: ActiveSession,
    detail: MydataAuthorizationDetail,
    result: AcceptResult,
    chosen: string[],
  ) {
    const consentId = result.consent.id;
    if (result.ready) {
      return {
        status: 'redirect' as const,
        redirectTo: await grantAndFinish(interaction, session, detail, consentId, chosen),
      };
    }
    const problem = { code: result.error.code, params: result.error.params };
    await db
      .insertInto('oauth_interactions')
      .values({
        uid: interaction.uid,
        citizen_id: session.citizenId,
        consent_id: consentId,
        problem: JSON.stringify(problem),
        expires_at: new Date(interaction.exp * 1000),
      })
      .onConflict((oc) =>
        oc.column('uid').doUpdateSet({ consent_id: consentId, problem: JSON.stringify(problem) }),
      )
      .execute();
    // Sent as is: the route's problem schema would drop the consentId member.
    reply.serializer((body: unknown) => JSON.stringify(body));
    return replyWithProblem(reply, result.error, publicUrl, { consentId });
  }

  function problemObject(
    req: FastifyRequest,
    stored: { code: ErrorCode; params: Record<string, string | number> },
  ) {
    const lang = negotiateLanguage(req.headers['accept-language']);
    const def = ERROR_CATALOGUE[stored.code];
    if (!def) return { code: stored.code };
    return {
      type: `${publicUrl}/problems/${stored.code}`,
      title: def.title[lang],
      status: def.status,
      detail: formatErrorDetail(stored.code, { requestId: req.id, ...stored.params }, lang),
      code: stored.code,
    };
  }

  app.get(
    '/oauth/interactions/:uid',
    {
      schema: {
        tags: ['consent'],
        summary:
          'The consent screen for an authorization request: who asks, for what, and what sign-in it needs',
        params: Uid,
        response: { 200: AnyObject },
      },
    },
    async (req, reply) => {
      const interaction = await openInteraction(req.params.uid);
      const detail = detailOf(interaction);
      const screen = await consent.describeRequest(detail, String(interaction.params.client_id));
      const session = await requireSession(req, reply);
      const row = await pendingOf(interaction.uid);
      assertHolder(row, session);
      const required = strongestAssurance(screen.datasets.map((d) => d.minAssurance));
      const candidates = await identity.stepUpOptions(session, required);
      reply.header('cache-control', 'no-store');
      return {
        uid: interaction.uid,
        expiresAt: new Date(interaction.exp * 1000).toISOString(),
        ...screen,
        assurance: {
          current: session.assurance,
          required,
          sufficient: meetsAssurance(session.assurance, required),
          candidates,
        },
        pendingConsent:
          row?.consent_id && row.problem
            ? { id: row.consent_id, problem: problemObject(req, row.problem as never) }
            : null,
      };
    },
  );

  app.post(
    '/oauth/interactions/:uid/decision',
    {
      schema: {
        tags: ['consent'],
        summary: "The citizen's answer: accept (with the datasets chosen) or decline",
        description:
          'accept: the platform records the consent, collects the data from the agencies and answers with the address to continue at. If an agency fails, the answer is that problem with a `consentId` to retry. decline: the service is told access_denied.',
        params: Uid,
        body: Decision,
        response: { 200: Redirect },
      },
    },
    async (req, reply) =>
      // A double click must not make two consents: one answer per interaction at a time.
      oneAtATime(req.params.uid, async () => {
        const interaction = await openInteraction(req.params.uid);
        const session = await requireSession(req, reply);
        const row = await pendingOf(interaction.uid);
        assertHolder(row, session);
        const body = req.body;
        if (body.decision === 'decline') {
          if (row?.consent_id) await withdrawQuietly(row.consent_id, session.citizenId);
          const redirectTo = await finishWith(interaction, {
            error: 'access_denied',
            error_description: 'The citizen declined the request',
          });
          return { status: 'redirect' as const, redirectTo };
        }
        const detail = detailOf(interaction);
        const serviceId = String(interaction.params.client_id);
        const screen = await consent.describeRequest(detail, serviceId);
        for (const id of body.datasets) {
          if (!detail.datasets.includes(id)) {
            throw new AppError('consent.dataset-not-requested', { datasetId: id });
          }
        }
        const required = strongestAssurance(
          screen.datasets.filter((d) => body.datasets.includes(d.id)).map((d) => d.minAssurance),
        );
        if (!meetsAssurance(session.assurance, required)) {
          const candidates = await identity.stepUpOptions(session, required);
          throw new AppError('identity.step-up-required', {
            required,
            current: session.assurance,
            candidates: candidates.join(', '),
          });
        }
        // A second accept replaces a consent whose collection failed; that one is cancelled.
        if (row?.consent_id) await withdrawQuietly(row.consent_id, session.citizenId);
        const result = await consent.accept({
          citizenId: session.citizenId,
          serviceId,
          detail,
          chosen: body.datasets,
          assurance: session.assurance as AssuranceLevel,
          methods: [...session.methods],
          interactionUid: interaction.uid,
          ...(body.parties
            ? { parties: body.parties.map((p) => ({ ...p, nationalId: p.nationalId.trim().toUpperCase() })) }
            : {}),
        });
        return answer(reply, interaction, session, detail, result, body.datasets);
      }),
  );

  app.post(
    '/oauth/interactions/:uid/retry',
    {
      schema: {
        tags: ['consent'],
        summary: 'Collects the data of an accepted consent again after an agency failed',
        params: Uid,
        body: Type.Object(
          { consentId: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: { 200: Redirect },
      },
    },
    async (req, reply) =>
      // A double click must not make two consents: one answer per interaction at a time.
      oneAtATime(req.params.uid, async () => {
        const interaction = await openInteraction(req.params.uid);
        const session = await requireSession(req, reply);
        const row = await pendingOf(interaction.uid);
        assertHolder(row, session);
        if (row?.consent_id !== req.body.consentId) {
          throw new AppError('consent.not-found', { id: req.body.consentId });
        }
        const result = await consent.retry(req.body.consentId, session.citizenId);
        const chosen = ((result.consent.datasets as { id: string }[] | undefined) ?? []).map((d) => d.id);
        return answer(reply, interaction, session, detailOf(interaction), result, chosen);
      }),
  );

  async function withdrawQuietly(consentId: string, citizenId: string) {
    try {
      await consent.withdraw(consentId, citizenId, 'cancelled');
    } catch (error) {
      // Already final (expired, say): nothing left to cancel.
      if (!(error instanceof AppError) || error.status >= 500) throw error;
    }
  }

  const challenge = (error: 'invalid_token' | 'invalid_dpop_proof') =>
    `DPoP error="${error}", algs="ES256 EdDSA"`;

  /** The DPoP-bound access token of a request to `path`, its proof checked, and the consent it names. */
  async function tokenOf(req: FastifyRequest, reply: FastifyReply, path: string) {
    const auth = req.headers.authorization;
    const match = typeof auth === 'string' ? /^DPoP ([A-Za-z0-9._~+/-]+=*)$/.exec(auth) : null;
    const invalidToken = (reason: string) => {
      reply.header('www-authenticate', challenge('invalid_token'));
      return new AppError('transfer.invalid-token', { reason });
    };
    if (!match?.[1]) throw invalidToken('send Authorization: DPoP <access token>');
    const accessToken = match[1];
    const token = await provider.AccessToken.find(accessToken);
    if (!token || token.isExpired) throw invalidToken('unknown, expired or revoked access token');
    if (token.aud !== packageResource(publicUrl))
      throw invalidToken('the access token is for another resource');
    const jkt = token.jkt;
    if (!jkt) throw invalidToken('the access token is not DPoP-bound');
    try {
      await verifyDpopProof(db, req.headers.dpop, {
        method: 'GET',
        url: `${publicUrl}${path}`,
        accessToken,
        jkt,
        now: now(),
      });
    } catch (error) {
      reply.header('www-authenticate', challenge('invalid_dpop_proof'));
      throw error;
    }
    const detail = (token.rar as MydataAuthorizationDetail[] | undefined)?.find((d) => d.type === 'mydata');
    return { token, detail, invalidToken };
  }

  app.get(
    '/transfer/progress',
    {
      schema: {
        tags: ['transfer'],
        summary:
          'Where a multi-person application stands, with the same DPoP-bound access token as the package',
        description:
          'Authorization: DPoP <access token>, and a DPoP proof (htm GET, htu this address, ath). Answers {status: waiting|ready|ended, parties: [{role, status}]}; a one-person consent answers its own state with no parties.',
      },
    },
    async (req, reply) => {
      const { token, detail, invalidToken } = await tokenOf(req, reply, PROGRESS_PATH);
      if (!detail?.consentId || !token.clientId) throw invalidToken('the access token names no consent');
      reply.header('cache-control', 'no-store');
      const progress = await consent.applicationProgress?.(detail.consentId);
      return progress ?? { status: 'ended', parties: [] };
    },
  );

  app.get(
    '/transfer/package',
    {
      schema: {
        tags: ['transfer'],
        summary: 'The data package of a consent, once, for the service holding a DPoP-bound access token',
        description:
          'Authorization: DPoP <access token>, and a DPoP proof (htm GET, htu this address, ath). Answers the package as a compact JWE (application/jose). The token is revoked after the first answer.',
        produces: ['application/jose'],
      },
    },
    async (req, reply) => {
      const { token, detail, invalidToken } = await tokenOf(req, reply, PACKAGE_PATH);
      if (!detail?.consentId || !token.clientId) throw invalidToken('the access token names no consent');
      let jwe: string;
      try {
        jwe = await consent.takePackage(detail.consentId, token.clientId);
      } catch (error) {
        // A multi-person application still waiting: say who it waits for (no personal data).
        if (error instanceof AppError && error.code === 'transfer.package-not-ready') {
          const progress = await consent.applicationProgress?.(detail.consentId);
          if (progress) {
            reply.serializer((body: unknown) => JSON.stringify(body));
            return replyWithProblem(reply, error, publicUrl, { progress });
          }
        }
        // A package that is gone will never come back: the token has nothing left to fetch.
        if (error instanceof AppError && error.status === 410 && token.grantId)
          await revokeGrant(db, token.grantId);
        throw error;
      }
      await token.destroy();
      if (token.grantId) await revokeGrant(db, token.grantId);
      return reply.header('content-type', 'application/jose').header('cache-control', 'no-store').send(jwe);
    },
  );
};
