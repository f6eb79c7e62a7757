import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope } from '../crypto/envelope.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { createIdentityRepo, type IdentityRepo } from './repository.ts';

describe('The identity repository', () => {
  let t: TestDatabase;
  let repo: IdentityRepo;
  const key = randomBytes(32);
  const at = new Date('2026-11-24T10:00:00Z');
  beforeAll(async () => {
    t = await createTestDatabase();
    repo = createIdentityRepo({
      db: t.db,
      envelope: createEnvelope({ current: 'k1', keys: { k1: randomBytes(32) } }),
      citizenRef: (id) => createHmac('sha256', key).update(id).digest('hex'),
    });
  });
  afterAll(() => t.close());

  it('counts concurrent failures exactly and locks once', async () => {
    const policy = { max: 5, windowSeconds: 60, lockSeconds: 600 };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => repo.countFailure('lock:test:a', at, policy)),
    );
    expect(results.map((r) => r.failures).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(results.filter((r) => r.justLocked)).toHaveLength(1);
    expect(await repo.lockedUntil('lock:test:a', at)).toEqual(new Date(at.getTime() + 600_000));
    expect(await repo.lockedUntil('lock:test:a', new Date(at.getTime() + 600_000))).toBeUndefined();
  });

  it('starts a new window after the old one, and a reset reports whether it lifted a lock', async () => {
    const policy = { max: 2, windowSeconds: 60, lockSeconds: 600 };
    await repo.countFailure('lock:test:b', at, policy);
    const later = await repo.countFailure('lock:test:b', new Date(at.getTime() + 61_000), policy);
    expect(later).toMatchObject({ failures: 1, justLocked: false });
    await repo.countFailure('lock:test:b', new Date(at.getTime() + 62_000), policy);
    expect(await repo.resetAttempts(['lock:test:b'], new Date(at.getTime() + 63_000))).toEqual(
      new Set(['lock:test:b']),
    );
    expect(await repo.resetAttempts(['lock:test:b'], new Date(at.getTime() + 63_000))).toEqual(new Set());
  });

  it('lets exactly one of several racing requests use a challenge', async () => {
    const id = await repo.createChallenge({ nonce: 'n', expiresAt: new Date(at.getTime() + 60_000) });
    const results = await Promise.all(Array.from({ length: 5 }, () => repo.consumeChallenge(id, at)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'used')).toHaveLength(4);
    const late = await repo.createChallenge({ nonce: 'n', expiresAt: at });
    expect(await repo.consumeChallenge(late, at)).toEqual({ ok: false, reason: 'expired' });
  });

  it('makes one account of concurrent first sign-ins and reports new methods', async () => {
    const [a, b] = await Promise.all([
      t.db.transaction().execute((tx) => repo.recordVerification(tx, 'A123456789', ['nhi-card'], at)),
      t.db.transaction().execute((tx) => repo.recordVerification(tx, 'A123456789', ['nhi-card'], at)),
    ]);
    expect(a.citizenId).toBe(b.citizenId);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    const again = await t.db
      .transaction()
      .execute((tx) => repo.recordVerification(tx, 'A123456789', ['nhi-card', 'two-documents'], at));
    expect(again).toMatchObject({ created: false, newMethods: ['two-documents'] });
    expect(await repo.nationalIdOf(a.citizenId)).toBe('A123456789');
  });
});
