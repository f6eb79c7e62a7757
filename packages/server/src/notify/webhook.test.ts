import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePlatformKeys } from '../crypto/keys.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { createOutbox, createOutboxWorker, type Outbox } from './outbox.ts';
import { createWebhookSender } from './senders.ts';

describe('Webhooks through the outbox', () => {
  let t: TestDatabase;
  let outbox: Outbox;
  let server: Server;
  let url: string;
  const clock = { now: new Date('2026-11-24T04:00:00Z') };
  const received: { type: string | undefined; key: string | undefined; body: string }[] = [];
  /** Answers per body, in turn; 204 when none is left. */
  const statuses = new Map<string, number[]>();

  beforeAll(async () => {
    t = await createTestDatabase();
    outbox = createOutbox({ db: t.db, keys: generatePlatformKeys(), now: () => clock.now });
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({
          type: req.headers['content-type'],
          key: req.headers['idempotency-key'] as string | undefined,
          body,
        });
        res.writeHead(statuses.get(body)?.shift() ?? 204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await t.close();
  });

  const worker = () =>
    createOutboxWorker({
      outbox,
      senders: { webhook: createWebhookSender() },
      usageLogUrl: 'http://localhost/usage-log',
      now: () => clock.now,
      backoffMs: 1000,
      maxAttempts: 3,
    });

  it('posts the signed event as application/jwt, retries a 503 with backoff and drops a 410', async () => {
    const retried = await outbox.enqueueWebhook({ url, body: 'a.b.c', event: 'consent.withdrawn' });
    const refused = await outbox.enqueueWebhook({ url, body: 'd.e.f', event: 'consent.expired' });
    statuses.set('a.b.c', [503]);
    statuses.set('d.e.f', [410]);
    expect(await worker().runOnce()).toEqual({ sent: 0, retried: 1, dead: 1 });
    expect(await worker().runOnce()).toEqual({ sent: 0, retried: 0, dead: 0 });
    clock.now = new Date(clock.now.getTime() + 1000);
    expect(await worker().runOnce()).toEqual({ sent: 1, retried: 0, dead: 0 });

    expect(received).toHaveLength(3);
    expect(received.every((r) => r.type === 'application/jwt')).toBe(true);
    const last = received.at(-1);
    expect([last?.key, last?.body]).toEqual([retried, 'a.b.c']);
    const rows = await t.db
      .selectFrom('notification_outbox')
      .select(['id', 'channel', 'template', 'status', 'sealed'])
      .orderBy('status')
      .execute();
    expect(rows.map((r) => [r.id, r.channel, r.template, r.status, r.sealed])).toEqual([
      [refused, 'webhook', 'consent.expired', 'dead', null],
      [retried, 'webhook', 'consent.withdrawn', 'sent', null],
    ]);
  });

  it('leaves webhooks alone for a worker that sends only to citizens', async () => {
    await outbox.enqueueWebhook({ url, body: 'g.h.i', event: 'transfer.failed' });
    const citizenOnly = createOutboxWorker({
      outbox,
      senders: {},
      usageLogUrl: 'http://localhost/usage-log',
      now: () => clock.now,
    });
    expect(await citizenOnly.runOnce()).toEqual({ sent: 0, retried: 0, dead: 0 });
    expect(await worker().runOnce()).toEqual({ sent: 1, retried: 0, dead: 0 });
  });
});
