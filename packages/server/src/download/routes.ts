import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AppError,
  type AssuranceLevel,
  DOWNLOAD_MEDIA_TYPE,
  LocalizedText,
  meetsAssurance,
  strongestAssurance,
} from '@mydata/core';
import { Type } from 'typebox';
import { failedAgencies } from '../exchange/failures.ts';
import { replyWithProblem } from '../http/problem.ts';
import { checkOrigin, createSessionGuard } from '../identity/http.ts';
import type { IdentityService } from '../identity/service.ts';
import type { DownloadService } from './service.ts';

export interface DownloadRoutesOptions {
  service: DownloadService;
  identity: Pick<IdentityService, 'session' | 'stepUpOptions'>;
  publicUrl: string;
}

const Ref = Type.Object({ id: Type.String(), name: LocalizedText });
const DownloadView = Type.Object({
  id: Type.String(),
  fileName: Type.String(),
  sha256: Type.String({ description: 'Hex SHA-256 of the zip' }),
  bytes: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  datasets: Type.Array(Type.Object({ id: Type.String(), name: LocalizedText, agency: Ref })),
  href: Type.String({ description: 'Where the zip is fetched, once, with the session cookie' }),
});

/** The citizen's data download (docs/download.md): ask for a package, then fetch it once. */
export const downloadRoutes: FastifyPluginAsyncTypebox<DownloadRoutesOptions> = async (app, opts) => {
  const { service, identity, publicUrl } = opts;
  const requireSession = createSessionGuard({ service: identity, publicUrl });

  app.post(
    '/downloads',
    {
      schema: {
        tags: ['download'],
        summary:
          "Collects the chosen datasets from their agencies into a signed zip of the citizen's own data",
        description:
          'All datasets or none: when an agency fails, the problem names it (`agencyIds`) and nothing is kept; ask again to retry. 403 identity.step-up-required when a dataset needs a stronger sign-in than the session has.',
        body: Type.Object(
          {
            datasets: Type.Array(Type.String({ minLength: 1, maxLength: 80 }), {
              minItems: 1,
              maxItems: 50,
              uniqueItems: true,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: DownloadView },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      const datasets = await service.datasetsOf(req.body.datasets);
      const required = strongestAssurance(datasets.map((d) => d.minAssurance));
      if (!meetsAssurance(session.assurance as AssuranceLevel, required)) {
        const candidates = await identity.stepUpOptions(session, required);
        throw new AppError('identity.step-up-required', {
          required,
          current: session.assurance,
          candidates: candidates.join(', '),
        });
      }
      reply.header('cache-control', 'no-store');
      try {
        const view = await service.create({ citizenId: session.citizenId, datasets: req.body.datasets });
        return reply
          .code(201)
          .send({ ...view, href: `/api/v1/downloads/${encodeURIComponent(view.id)}/file` });
      } catch (error) {
        if (!(error instanceof AppError) || !error.code.startsWith('exchange.')) throw error;
        req.log.info({ code: error.code }, 'download collection failed');
        // Sent as is: the route's problem schema would drop the agencyIds member.
        reply.serializer((body: unknown) => JSON.stringify(body));
        return replyWithProblem(reply, error, publicUrl, { agencyIds: failedAgencies(error, datasets) });
      }
    },
  );

  app.get(
    '/downloads/:id/file',
    {
      schema: {
        tags: ['download'],
        summary:
          'The zip of a download, once (application/zip); 410 download.gone afterwards or once expired',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      // A link followed from another site must not spend the citizen's one fetch.
      checkOrigin(req, publicUrl);
      const { fileName, zip } = await service.take(req.params.id, session.citizenId);
      return reply
        .header('content-type', DOWNLOAD_MEDIA_TYPE)
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .header('cache-control', 'no-store')
        .send(zip);
    },
  );
};
