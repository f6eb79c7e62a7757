import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { USAGE_EVENT_TYPES } from '@mydata/core';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generatePlatformKeys } from '../crypto/keys.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { createUsageRecorder, type UsageRecorder } from '../log/record.ts';
import { createUsageLog } from '../log/repository.ts';
import { createOutbox, createOutboxWorker, type Outbox } from './outbox.ts';
import { createSmsGatewaySender, createSmtpSender, type Sender } from './senders.ts';
import { renderEmail, renderSms } from './templates.ts';

const CITIZEN = 'A123456789';
const LINK = 'http://localhost:8080/my/usage-log';

describe('Notifications', () => {
  let t: TestDatabase;
  let outbox: Outbox;
  let recorder: UsageRecorder;
  let smtp: SMTPServer;
  let smtpUrl: string;
  let sms: Server;
  let smsUrl: string;
  const mails: ParsedMail[] = [];
  const texts: { id: string; to: string; text: string; key: string | undefined }[] = [];
  /** Replies the SMTP server gives RCPT TO, in turn; empty means accept. */
  const smtpRefusals: number[] = [];
  const smsStatuses: number[] = [];
  let clock = new Date('2026-11-24T04:00:00Z');
  let email: Sender;
  let text: Sender;
  const worker = (opts: Partial<Parameters<typeof createOutboxWorker>[0]> = {}) =>
    createOutboxWorker({
      outbox,
      senders: { email, sms: text },
      usageLogUrl: LINK,
      now: () => clock,
      maxAttempts: 3,
      backoffMs: 1000,
      leaseMs: 60_000,
      ...opts,
    });

  beforeAll(async () => {
    t = await createTestDatabase();
    const keys = generatePlatformKeys();
    outbox = createOutbox({ db: t.db, keys, now: () => clock });
    recorder = createUsageRecorder({ log: createUsageLog({ db: t.db, keys, origin: 'test/log' }), outbox });
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        const code = smtpRefusals.shift();
        if (!code) return callback();
        const error = Object.assign(new Error(`refused with ${code}`), { responseCode: code });
        return callback(error);
      },
      onData(stream, _session, callback) {
        simpleParser(stream).then((m) => {
          mails.push(m);
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    sms = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const status = smsStatuses.shift() ?? 202;
        if (status < 300) texts.push({ ...JSON.parse(body), key: req.headers['idempotency-key'] as string });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => sms.listen(0, '127.0.0.1', resolve));
    smsUrl = `http://127.0.0.1:${(sms.address() as AddressInfo).port}/sms`;
    email = createSmtpSender({ url: smtpUrl, from: 'MyData <no-reply@mydata.test>' });
    text = createSmsGatewaySender({ url: smsUrl });
  });
  afterAll(async () => {
    await email.close?.();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await new Promise<void>((resolve) => sms.close(() => resolve()));
    await t.close();
  });
  beforeEach(() => {
    mails.length = 0;
    texts.length = 0;
  });

  const transfer = (tx?: NonNullable<Parameters<UsageRecorder['record']>[1]>['tx']) =>
    recorder.record(
      {
        citizenId: CITIZEN,
        event: 'transfer',
        datasets: ['mof-fia.income'],
        serviceId: 'firstbank.loan',
        occurredAt: new Date('2026-11-24T03:30:00Z'),
      },
      {
        tx,
        notify: { email: 'wang.xiaoming@example.org', sms: '0912345678', lang: 'zh-TW' },
        params: { service: '第一銀行 房屋貸款', datasets: ['綜合所得稅各類所得資料'] },
      },
    );

  it('sends the e-mail over SMTP and the SMS through the gateway, and shows delivery beside the entry', async () => {
    const { entryId } = await transfer();
    expect(await worker().runOnce()).toEqual({ sent: 2, retried: 0, dead: 0 });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toMatchObject({ text: 'wang.xiaoming@example.org' });
    expect(mails[0]?.subject).toBe('MyData 通知：您的個人資料已傳送給服務提供者');
    expect(mails[0]?.text).toContain('第一銀行 房屋貸款');
    expect(mails[0]?.text).toContain('綜合所得稅各類所得資料');
    expect(mails[0]?.text).toContain(LINK);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatchObject({
      to: '0912345678',
      text: `【MyData】您的個人資料已依您的同意傳送。詳情：${LINK}`,
    });
    expect(texts[0]?.key).toBe(texts[0]?.id);
    const view = await recorder.citizenView(CITIZEN);
    const deliveries = view.items.find((i) => i.id === entryId)?.notifications;
    expect(deliveries?.map((d) => [d.channel, d.status, d.attempts])).toEqual([
      ['email', 'sent', 1],
      ['sms', 'sent', 1],
    ]);
    // Once sent, the address is no longer kept.
    const rows = await t.db
      .selectFrom('notification_outbox')
      .select('sealed')
      .where('log_entry_id', '=', entryId)
      .execute();
    expect(rows.map((r) => r.sealed)).toEqual([null, null]);
    expect(await worker().runOnce()).toEqual({ sent: 0, retried: 0, dead: 0 });
  });

  it('sends nothing for an event whose transaction rolled back', async () => {
    await expect(
      t.db.transaction().execute(async (tx) => {
        await transfer(tx);
        throw new Error('the package could not be delivered');
      }),
    ).rejects.toThrow();
    expect(await worker().runOnce()).toEqual({ sent: 0, retried: 0, dead: 0 });
    expect(mails).toHaveLength(0);
  });

  it('delivers exactly once when the process dies between commit and send', async () => {
    // The event commits with its outbox rows, then the process dies before any worker ran.
    await t.db.transaction().execute(async (tx) => {
      await transfer(tx);
    });
    // A worker in the dying process had claimed the rows, then was killed before sending.
    const claimed = await outbox.claim(clock, 60_000, 10, ['email', 'sms']);
    expect(claimed).toHaveLength(2);
    // After restart, a new worker leaves the rows alone while the dead worker's lease holds...
    expect(await worker().runOnce()).toEqual({ sent: 0, retried: 0, dead: 0 });
    // ...and takes them over once it ran out, sending each message once.
    clock = new Date(clock.getTime() + 61_000);
    const [a, b] = [worker(), worker()];
    const results = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(2);
    expect(await worker().runOnce()).toEqual({ sent: 0, retried: 0, dead: 0 });
    expect(mails).toHaveLength(1);
    expect(texts).toHaveLength(1);
  });

  it('retries with exponential backoff, then delivers', async () => {
    smtpRefusals.push(451, 451);
    const { entryId } = await recorder.record(
      { citizenId: CITIZEN, event: 'lockout' },
      { notify: { email: 'wang.xiaoming@example.org', lang: 'en' } },
    );
    const w = worker({ maxAttempts: 5 });
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 1, dead: 0 });
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, dead: 0 });
    const first = await t.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('log_entry_id', '=', entryId)
      .executeTakeFirstOrThrow();
    expect(new Date(first.next_attempt_at).getTime() - clock.getTime()).toBe(1000);
    clock = new Date(clock.getTime() + 1000);
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 1, dead: 0 });
    const second = await t.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('log_entry_id', '=', entryId)
      .executeTakeFirstOrThrow();
    expect(new Date(second.next_attempt_at).getTime() - clock.getTime()).toBe(2000);
    expect(second.last_error).toContain('451');
    clock = new Date(clock.getTime() + 2000);
    expect(await w.runOnce()).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(mails.map((m) => m.subject)).toEqual(['MyData: your account was locked']);
  });

  it('dead-letters after the last attempt, and at once on a final refusal', async () => {
    smsStatuses.push(503, 503, 503);
    const { entryId } = await recorder.record(
      { citizenId: CITIZEN, event: 'download', datasets: ['mof-fia.income'] },
      { notify: { sms: '0912345678' } },
    );
    const w = worker();
    for (let i = 0; i < 3; i++) {
      await w.runOnce();
      clock = new Date(clock.getTime() + 10_000);
    }
    const view = await recorder.citizenView(CITIZEN);
    expect(view.items.find((i) => i.id === entryId)?.notifications).toMatchObject([
      { channel: 'sms', status: 'dead', attempts: 3, lastError: 'SMS gateway answered 503' },
    ]);
    smtpRefusals.push(550);
    const refused = await recorder.record(
      { citizenId: CITIZEN, event: 'method-enrolled' },
      { notify: { email: 'nobody@example.org' }, params: { method: '行動自然人憑證' } },
    );
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, dead: 1 });
    const deliveries = await outbox.deliveries([refused.entryId]);
    expect(deliveries.get(refused.entryId)?.[0]).toMatchObject({ status: 'dead', attempts: 1 });
    expect(texts).toHaveLength(0);
  });

  it('does not notify events citizens are not told about', async () => {
    const { notificationIds } = await recorder.record(
      { citizenId: CITIZEN, event: 'sign-in' },
      { notify: { email: 'wang.xiaoming@example.org', sms: '0912345678' } },
    );
    expect(notificationIds).toEqual([]);
  });

  it('has zh-TW and English templates for every notified event, and SMS text carries no personal data', () => {
    const params = {
      at: '2026-11-24T03:30:00Z',
      service: 'SECRET-SERVICE',
      datasets: ['SECRET-DATASET'],
      method: 'SECRET-METHOD',
    };
    const notified = [
      'download',
      'transfer',
      'counter-redemption',
      'consent-withdrawn',
      'method-enrolled',
      'lockout',
      'contact-changed',
    ] as const;
    expect(notified.every((e) => (USAGE_EVENT_TYPES as readonly string[]).includes(e))).toBe(true);
    for (const event of notified) {
      for (const lang of ['zh-TW', 'en'] as const) {
        const mail = renderEmail(event, lang, params, LINK);
        expect(mail.subject).toContain('MyData');
        expect(mail.text).toContain(LINK);
        const sms = renderSms(event, lang, LINK);
        expect(sms).toContain(LINK);
        expect(sms).not.toMatch(/SECRET|2026|11:30/);
        expect(sms.length).toBeLessThan(120);
      }
    }
    expect(renderEmail('transfer', 'zh-TW', params, LINK).text).toContain('2026年11月24日 上午11:30');
  });
});
