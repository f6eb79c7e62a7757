import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '@mydata/core';
import { Type } from 'typebox';
import { leafHash } from './merkle.ts';
import type { UsageLog } from './repository.ts';

// Positions are JSON-safe integers; 2^53 leaves is far beyond any log this platform will hold.
const Position = (description: string) =>
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
const TreeSize = (description: string) =>
  Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });
const Base64Hash = Type.String({ description: 'SHA-256 hash, base64', pattern: '^[A-Za-z0-9+/]{43}=$' });
const SignedNote = {
  description: 'A C2SP tlog-checkpoint signed with Ed25519 as a C2SP signed note',
  content: { 'text/plain': { schema: Type.String() } },
};

/**
 * The public face of the usage log: checkpoints, proofs and leaf commitments. None of it carries
 * personal data, so anyone (an auditor, a journalist, the citizen's own browser) may read it.
 */
export const usageLogRoutes: FastifyPluginAsyncTypebox<{ log: UsageLog }> = async (app, { log }) => {
  const sendNote = (reply: { type(t: string): unknown }, note: string) => {
    reply.type('text/plain; charset=utf-8');
    return note;
  };

  app.get(
    '/log/checkpoint',
    {
      schema: { tags: ['usage log'], summary: 'The latest signed checkpoint', response: { 200: SignedNote } },
    },
    async (_req, reply) => {
      const latest = await log.latestCheckpoint();
      if (!latest) throw new AppError('log.checkpoint-not-found', { size: 'latest' });
      return sendNote(reply, latest.note);
    },
  );

  app.get(
    '/log/checkpoints/:size',
    {
      schema: {
        tags: ['usage log'],
        summary: 'The signed checkpoint published at a tree size',
        params: Type.Object({ size: Position('Tree size') }, { additionalProperties: false }),
        response: { 200: SignedNote },
      },
    },
    async (req, reply) => sendNote(reply, (await log.checkpointAt(req.params.size)).note),
  );

  app.get(
    '/log/key',
    {
      schema: {
        tags: ['usage log'],
        summary: 'The verifier key of checkpoint signatures (C2SP signed-note vkey), for auditors to pin',
        response: {
          200: { description: 'name+keyid+base64 key', content: { 'text/plain': { schema: Type.String() } } },
        },
      },
    },
    async (_req, reply) => sendNote(reply, `${log.verifierKey}\n`),
  );

  app.get(
    '/log/proof/inclusion',
    {
      schema: {
        tags: ['usage log'],
        summary: 'RFC 9162 inclusion proof of the leaf at an index in the tree of a given size',
        querystring: Type.Object(
          { index: Position('Leaf index'), size: TreeSize('Tree size, usually a checkpoint’s') },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            index: Type.Integer(),
            treeSize: Type.Integer(),
            hashes: Type.Array(Base64Hash),
          }),
        },
      },
    },
    async (req) => {
      const proof = await log.inclusionProof(req.query.index, req.query.size);
      return { index: req.query.index, ...proof };
    },
  );

  app.get(
    '/log/proof/consistency',
    {
      schema: {
        tags: ['usage log'],
        summary: 'RFC 9162 consistency proof between two tree sizes',
        querystring: Type.Object(
          { first: Position('The older tree size'), second: TreeSize('The newer tree size') },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ first: Type.Integer(), second: Type.Integer(), hashes: Type.Array(Base64Hash) }),
        },
      },
    },
    async (req) => {
      const proof = await log.consistencyProof(req.query.first, req.query.second);
      return { first: req.query.first, second: proof.treeSize, hashes: proof.hashes };
    },
  );

  app.get(
    '/log/leaves',
    {
      schema: {
        tags: ['usage log'],
        summary: 'Leaf commitments in index order, so an auditor can rebuild the tree',
        querystring: Type.Object(
          {
            start: Position('First index'),
            count: Type.Integer({ minimum: 1, maximum: 1000, default: 1000 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            start: Type.Integer(),
            leaves: Type.Array(Base64Hash, { description: 'Salted entry commitments (the RFC 9162 leaves)' }),
          }),
        },
      },
    },
    async (req) => {
      const leaves = await log.leaves(req.query.start, req.query.count);
      return { start: req.query.start, leaves: leaves.map((l) => l.commitment) };
    },
  );

  app.get(
    '/log/entries/:index',
    {
      schema: {
        tags: ['usage log'],
        summary: 'The leaf commitment of one entry and its RFC 9162 leaf hash',
        params: Type.Object({ index: Position('Leaf index') }, { additionalProperties: false }),
        response: {
          200: Type.Object({ index: Type.Integer(), commitment: Base64Hash, leafHash: Base64Hash }),
        },
      },
    },
    async (req) => {
      const [leaf] = await log.leaves(req.params.index, 1);
      if (!leaf || leaf.index !== req.params.index) {
        throw new AppError('log.entry-not-found', {
          index: req.params.index,
          treeSize: await log.treeSize(),
        });
      }
      return {
        index: leaf.index,
        commitment: leaf.commitment,
        leafHash: leafHash(Buffer.from(leaf.commitment, 'base64')).toString('base64'),
      };
    },
  );
};
