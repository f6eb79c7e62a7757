/**
 * oidc-provider's storage over Kysely: every artefact in one table, keyed by model and id. Clients
 * are not stored here but read from `oauth_clients`, which only `registerClient` writes.
 */

import { sql } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { Db } from '../db/database.ts';
import type { ClientRegistry } from './clients.ts';

/** Models whose second use must fail even when two requests race: the adapter consumes them atomically. */
const SINGLE_USE = new Set(['AuthorizationCode']);

/**
 * How long a first-seen client assertion or DPoP proof id is kept before the provider says how long
 * it needs; longer lifetimes are extended when the provider saves it.
 */
const REPLAY_HORIZON_SECONDS = 600;

/** The adapter factory oidc-provider calls once per model name. */
export function createAdapterFactory(db: Db, clients: ClientRegistry, now: () => Date = () => new Date()) {
  return (model: string): Adapter => {
    if (model === 'Client') {
      return {
        async find(id) {
          return clients.metadata(id);
        },
        // Dynamic registration is off; clients come only from registerClient.
        async upsert() {},
        async findByUid() {},
        async findByUserCode() {},
        async consume() {},
        async destroy() {},
        async revokeByGrantId() {},
      };
    }
    if (model === 'ReplayDetection') return replayDetection(db, now);
    const live = (expiresAt: Date | null) => !expiresAt || expiresAt.getTime() > now().getTime();
    const read = (row: { payload: Record<string, unknown>; consumed_at: Date | null } | undefined) =>
      row
        ? ({
            ...row.payload,
            ...(row.consumed_at ? { consumed: Math.floor(row.consumed_at.getTime() / 1000) } : {}),
          } as AdapterPayload)
        : undefined;
    return {
      async upsert(id, payload, expiresIn) {
        const expiresAt = expiresIn ? new Date(now().getTime() + expiresIn * 1000) : null;
        const grantId = typeof payload.grantId === 'string' ? payload.grantId : null;
        const uid = typeof payload.uid === 'string' ? payload.uid : null;
        const json = JSON.stringify(payload);
        await db
          .insertInto('oauth_artifacts')
          .values({ model, id, payload: json, grant_id: grantId, uid, expires_at: expiresAt })
          .onConflict((oc) =>
            oc
              .columns(['model', 'id'])
              .doUpdateSet({ payload: json, grant_id: grantId, uid, expires_at: expiresAt }),
          )
          .execute();
      },
      async find(id) {
        const row = await db
          .selectFrom('oauth_artifacts')
          .select(['payload', 'consumed_at', 'expires_at'])
          .where('model', '=', model)
          .where('id', '=', id)
          .executeTakeFirst();
        return row && live(row.expires_at) ? read(row) : undefined;
      },
      async findByUid(uid) {
        const row = await db
          .selectFrom('oauth_artifacts')
          .select(['payload', 'consumed_at', 'expires_at'])
          .where('model', '=', model)
          .where('uid', '=', uid)
          .executeTakeFirst();
        return row && live(row.expires_at) ? read(row) : undefined;
      },
      async findByUserCode() {
        return undefined;
      },
      async consume(id) {
        const result = await db
          .updateTable('oauth_artifacts')
          .set({ consumed_at: now() })
          .where('model', '=', model)
          .where('id', '=', id)
          .where('consumed_at', 'is', null)
          .executeTakeFirst();
        // The provider checked `consumed` a moment ago; a concurrent request may have won since.
        if (SINGLE_USE.has(model) && result.numUpdatedRows === 0n) {
          throw new errors.InvalidGrant(`${model} already consumed`);
        }
      },
      async destroy(id) {
        await db.deleteFrom('oauth_artifacts').where('model', '=', model).where('id', '=', id).execute();
      },
      async revokeByGrantId(grantId) {
        await db
          .deleteFrom('oauth_artifacts')
          .where('model', '=', model)
          .where('grant_id', '=', grantId)
          .execute();
      },
    };
  };
}

/**
 * The provider asks "seen before?" (find) and then records the id (upsert). Asked in that order of
 * two statements, two requests racing with one assertion would both pass; so find claims the id in
 * one atomic insert, and answers "seen" only to the request that did not claim it.
 */
function replayDetection(db: Db, now: () => Date): Adapter {
  const noop = async () => undefined;
  return {
    async find(id) {
      const at = now();
      const expiresAt = new Date(at.getTime() + REPLAY_HORIZON_SECONDS * 1000);
      const claimed = await db
        .insertInto('oauth_artifacts')
        .values({
          model: 'ReplayDetection',
          id,
          payload: '{}',
          grant_id: null,
          uid: null,
          expires_at: expiresAt,
        })
        // An expired id not yet purged may be used again, as the provider's own check would allow.
        .onConflict((oc) =>
          oc
            .columns(['model', 'id'])
            .doUpdateSet({ expires_at: expiresAt })
            .where('oauth_artifacts.expires_at', '<=', at),
        )
        .returning('id')
        .executeTakeFirst();
      return claimed ? undefined : ({ jti: id } as AdapterPayload);
    },
    async upsert(id, _payload, expiresIn) {
      if (!expiresIn || expiresIn <= REPLAY_HORIZON_SECONDS) return;
      await db
        .updateTable('oauth_artifacts')
        .set({ expires_at: new Date(now().getTime() + expiresIn * 1000) })
        .where('model', '=', 'ReplayDetection')
        .where('id', '=', id)
        .execute();
    },
    findByUid: noop,
    findByUserCode: noop,
    consume: noop,
    async destroy(id) {
      await db
        .deleteFrom('oauth_artifacts')
        .where('model', '=', 'ReplayDetection')
        .where('id', '=', id)
        .execute();
    },
    revokeByGrantId: noop,
  };
}

/** Deletes every code, token and the grant itself that belong to a grant, whatever their model. */
export async function revokeGrant(db: Db, grantId: string): Promise<void> {
  await db
    .deleteFrom('oauth_artifacts')
    .where((eb) =>
      eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]),
    )
    .execute();
}

/** Deletes every code, token, grant and pushed request of the given clients (a suspended provider's). */
export async function revokeClients(db: Db, clientIds: string[]): Promise<number> {
  if (clientIds.length === 0) return 0;
  const result = await db
    .deleteFrom('oauth_artifacts')
    .where(sql<string>`payload->>'clientId'`, 'in', clientIds)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes artefacts and seen DPoP proofs that can no longer be used; any process may run it. */
export async function purgeExpired(db: Db, at: Date): Promise<void> {
  await db.deleteFrom('oauth_artifacts').where('expires_at', '<', at).execute();
  await db.deleteFrom('oauth_dpop_proofs').where('expires_at', '<', at).execute();
  await db.deleteFrom('oauth_interactions').where('expires_at', '<', at).execute();
}
