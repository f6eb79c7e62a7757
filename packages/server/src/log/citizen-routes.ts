import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, UsageEntry, UsageEventType } from '@mydata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { UsageRecorder } from './record.ts';

/** The session check of the identity capability (`createSessionGuard`), reduced to what this route needs. */
export type CitizenGuard = (req: FastifyRequest, reply: FastifyReply) => Promise<{ citizenId: string }>;

export interface CitizenUsageLogRoutesOptions {
  recorder: Pick<UsageRecorder, 'citizenView'>;
  /** The log's verifier key, so the browser can check the checkpoint's signature. */
  verifierKey: string;
  requireSession: CitizenGuard;
  /** The signed-in citizen's national ID (sealed in the account; only its keyed hash is in the log). */
  nationalIdOf: (citizenId: string) => Promise<string>;
}

const PAGE = 50;
const Base64Hash = Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' });
const DateOnly = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD' });

const MineQuery = Type.Object(
  {
    event: Type.Optional(Type.Array(UsageEventType, { description: 'Only these event types (repeatable)' })),
    from: Type.Optional(
      Type.Union([Type.String({ format: 'date-time' }), DateOnly], {
        description: 'From this time, or this day (Asia/Taipei) on',
      }),
    ),
    to: Type.Optional(
      Type.Union([Type.String({ format: 'date-time' }), DateOnly], {
        description: 'Before this time, or up to and including this day (Asia/Taipei)',
      }),
    ),
    cursor: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$', description: 'nextCursor of the previous page' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: PAGE })),
  },
  { additionalProperties: false },
);

const MineItem = Type.Object({
  id: Type.String(),
  index: Type.Union([Type.Integer(), Type.Null()], { description: 'Leaf index; null until sequenced' }),
  entry: UsageEntry,
  commitment: Base64Hash,
  salt: Type.String({ description: 'Base64; commitment = SHA-256(salt || JCS(entry))' }),
  commitmentValid: Type.Boolean({ description: 'As the server checked it; the browser checks again' }),
  inclusion: Type.Union(
    [Type.Object({ treeSize: Type.Integer(), hashes: Type.Array(Base64Hash) }), Type.Null()],
    { description: 'RFC 9162 audit path against the checkpoint; null if the entry came after it' },
  ),
  notifications: Type.Array(
    Type.Object({
      channel: Type.String(),
      status: Type.String(),
      attempts: Type.Integer(),
      sentAt: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

/** A day (YYYY-MM-DD) is a Taiwan calendar day: it starts at 00:00 +08:00. */
function dayStart(day: string, plusDays = 0): Date {
  const d = new Date(`${day}T00:00:00+08:00`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d;
}

function parseTime(value: string | undefined, end: boolean): Date | undefined {
  if (!value) return undefined;
  const at = value.length === 10 ? dayStart(value, end ? 1 : 0) : new Date(value);
  if (Number.isNaN(at.getTime())) throw new AppError('request.invalid', { reason: `${value} is not a date` });
  return at;
}

const encodeCursor = (occurredAt: string, id: string) =>
  Buffer.from(`${occurredAt}|${id}`).toString('base64url');

function decodeCursor(cursor: string | undefined): { occurredAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const occurredAt = new Date(at ?? '');
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(occurredAt.getTime()))
    throw new AppError('request.invalid', { reason: 'the cursor is not one this API gave' });
  return { occurredAt, id };
}

/**
 * The signed-in citizen's own usage log: their entries, newest first, each with what the browser
 * needs to check it independently (the opened entry and salt, the leaf commitment, the inclusion
 * proof against the latest signed checkpoint, the checkpoint and its verifier key) and the delivery
 * status of its notifications.
 */
export const citizenUsageLogRoutes: FastifyPluginAsyncTypebox<CitizenUsageLogRoutesOptions> = async (
  app,
  opts,
) => {
  app.get(
    '/log/mine',
    {
      schema: {
        tags: ['usage log'],
        summary: "The signed-in citizen's own usage-log entries, with inclusion proofs",
        description:
          'Newest first. Each item carries the opened entry, its salt and commitment, and its RFC 9162 inclusion proof against `checkpoint` (null for entries not yet in a checkpoint), so the citizen can verify it without trusting this answer. Page with `cursor`.',
        querystring: MineQuery,
        response: {
          200: Type.Object({
            checkpoint: Type.Union([
              Type.Object({ size: Type.Integer(), root: Base64Hash, note: Type.String() }),
              Type.Null(),
            ]),
            verifierKey: Type.String({ description: 'C2SP signed-note verifier key of the checkpoint' }),
            items: Type.Array(MineItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req, reply) => {
      const session = await opts.requireSession(req, reply);
      const nationalId = await opts.nationalIdOf(session.citizenId);
      const limit = req.query.limit ?? PAGE;
      const from = parseTime(req.query.from, false);
      const to = parseTime(req.query.to, true);
      const after = decodeCursor(req.query.cursor);
      const view = await opts.recorder.citizenView(nationalId, {
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(req.query.event?.length ? { events: req.query.event } : {}),
        ...(after ? { after } : {}),
        // One more than asked: whether there is a next page, without counting.
        limit: limit + 1,
      });
      const items = view.items.slice(0, limit);
      const last = items[items.length - 1];
      reply.header('cache-control', 'no-store');
      return {
        checkpoint: view.checkpoint ?? null,
        verifierKey: opts.verifierKey,
        items: items.map((i) => ({
          id: i.id,
          index: i.index,
          entry: i.entry,
          commitment: i.commitment,
          salt: i.salt,
          commitmentValid: i.commitmentValid,
          inclusion: i.inclusion,
          // The last error can name an address or a server; the citizen sees the status only.
          notifications: i.notifications.map((n) => ({
            channel: n.channel,
            status: n.status,
            attempts: n.attempts,
            sentAt: n.sentAt,
          })),
        })),
        nextCursor: view.items.length > limit && last ? encodeCursor(last.entry.occurredAt, last.id) : null,
      };
    },
  );
};
