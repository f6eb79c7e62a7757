import { randomUUID } from 'node:crypto';
import type { Language } from '@mydata/core';
import { type Kysely, sql } from 'kysely';
import { createEnvelope } from '../crypto/envelope.ts';
import type { PlatformKeys } from '../crypto/keys.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { PermanentSendError, type Sender } from './senders.ts';
import {
  isApplicationTemplate,
  type MessageTemplate,
  type NotificationParams,
  ONE_TIME_CODE_TEMPLATE,
  renderApplicationMessage,
  renderEmail,
  renderOneTimeCodeSms,
  renderSms,
} from './templates.ts';

/** email and sms tell citizens; webhook tells a service provider's system (a signed event, docs/consent.md). */
export type Channel = 'email' | 'sms' | 'webhook';
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'dead';

export interface NotificationRequest {
  /** The usage-log entry this notification is about, so its delivery shows beside it. */
  logEntryId?: string;
  channel: Channel;
  /** The citizen's address or mobile number, as the producer knows it now; stored sealed. */
  to: string;
  /** An event citizens are told of, or `one-time-code` (SMS only). */
  template: MessageTemplate;
  lang: Language;
  params: NotificationParams;
}

/** A signed event for a service provider, POSTed to its registered webhook URL. */
export interface WebhookRequest {
  /** The service's webhook URL. */
  url: string;
  /** The compact JWS to send as the body (application/jwt). */
  body: string;
  /** The event name, kept in the clear for operators (e.g. consent.withdrawn). */
  event: string;
}

export interface Delivery {
  id: string;
  channel: Channel;
  status: DeliveryStatus;
  attempts: number;
  sentAt: string | null;
  lastError: string | null;
}

interface ClaimedRow {
  id: string;
  channel: Channel;
  template: MessageTemplate;
  lang: Language;
  sealed: string;
  attempts: number;
}

/** The notification outbox: durable rows written in the producer's transaction. */
export function createOutbox({
  db,
  keys,
  now = () => new Date(),
}: {
  db: Db;
  keys: Pick<PlatformKeys, 'atRest'>;
  /** The clock rows become due by; the workers' clock must agree with it. */
  now?: () => Date;
}) {
  const envelope = createEnvelope(keys.atRest);
  const context = (id: string) => `notification_outbox:${id}`;
  return {
    /** Queues one notification; pass the event's transaction so it exists exactly when the event does. */
    async enqueue(request: NotificationRequest, q: Kysely<Database> = db): Promise<string> {
      const id = randomUUID();
      await q
        .insertInto('notification_outbox')
        .values({
          id,
          log_entry_id: request.logEntryId ?? null,
          channel: request.channel,
          template: request.template,
          lang: request.lang,
          sealed: envelope.seal(JSON.stringify({ to: request.to, params: request.params }), context(id)),
          next_attempt_at: now(),
        })
        .execute();
      return id;
    },

    /** Queues one webhook; pass the event's transaction so it is sent exactly when the event commits. */
    async enqueueWebhook(request: WebhookRequest, q: Kysely<Database> = db): Promise<string> {
      const id = randomUUID();
      await q
        .insertInto('notification_outbox')
        .values({
          id,
          log_entry_id: null,
          channel: 'webhook',
          template: request.event,
          lang: 'en',
          sealed: envelope.seal(JSON.stringify({ to: request.url, body: request.body }), context(id)),
          next_attempt_at: now(),
        })
        .execute();
      return id;
    },

    /** Delivery status of the notifications about each given log entry. */
    async deliveries(logEntryIds: string[]): Promise<Map<string, Delivery[]>> {
      const out = new Map<string, Delivery[]>();
      if (logEntryIds.length === 0) return out;
      const rows = await db
        .selectFrom('notification_outbox')
        .select(['id', 'log_entry_id', 'channel', 'status', 'attempts', 'sent_at', 'last_error'])
        .where('log_entry_id', 'in', logEntryIds)
        .orderBy('created_at')
        .execute();
      for (const r of rows) {
        const list = out.get(r.log_entry_id as string) ?? [];
        list.push({
          id: r.id,
          channel: r.channel as Channel,
          status: r.status as DeliveryStatus,
          attempts: r.attempts,
          sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
          lastError: r.last_error,
        });
        out.set(r.log_entry_id as string, list);
      }
      return out;
    },

    /**
     * Takes due rows for one worker: pending ones whose time has come, and ones another worker
     * claimed but never finished (its lease ran out: it crashed). SKIP LOCKED lets workers in
     * several processes claim side by side without waiting on each other.
     */
    async claim(now: Date, leaseMs: number, limit: number, channels: Channel[]): Promise<ClaimedRow[]> {
      if (channels.length === 0) return [];
      const until = new Date(now.getTime() + leaseMs);
      const result = await sql<ClaimedRow>`
        update notification_outbox set status = 'sending', claimed_until = ${until}, attempts = attempts + 1
        where id in (
          select id from notification_outbox
          where ((status = 'pending' and next_attempt_at <= ${now}) or (status = 'sending' and claimed_until <= ${now}))
            and channel in (${sql.join(channels)})
          order by next_attempt_at
          limit ${limit}
          for update skip locked)
        returning id, channel, template, lang, sealed, attempts`.execute(db);
      return result.rows;
    },

    open(row: ClaimedRow): { to: string; params: NotificationParams; body?: string } {
      return JSON.parse(envelope.openText(row.sealed, context(row.id)));
    },

    /** Records a send; the sealed address is dropped as it is no longer needed. */
    async markSent(id: string, now: Date): Promise<void> {
      await db
        .updateTable('notification_outbox')
        .set({ status: 'sent', sent_at: now, sealed: null, claimed_until: null, last_error: null })
        .where('id', '=', id)
        .execute();
    },

    async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
      await db
        .updateTable('notification_outbox')
        .set(
          retryAt
            ? {
                status: 'pending',
                next_attempt_at: retryAt,
                claimed_until: null,
                last_error: error.slice(0, 500),
              }
            : { status: 'dead', sealed: null, claimed_until: null, last_error: error.slice(0, 500) },
        )
        .where('id', '=', id)
        .execute();
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;

export interface OutboxWorkerOptions {
  outbox: Outbox;
  senders: Partial<Record<Channel, Sender>>;
  /** Where the citizen reads their usage log; every message links there. */
  usageLogUrl: string;
  /** Attempts before a message is dead-lettered. */
  maxAttempts?: number;
  /** First retry delay; each further retry doubles it, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How long a claim holds before another worker may take the row over; far above the send timeout. */
  leaseMs?: number;
  batchSize?: number;
  /** The clock; tests move it instead of sleeping. */
  now?: () => Date;
  onError?: (error: unknown, id: string) => void;
}

export interface RunResult {
  sent: number;
  retried: number;
  dead: number;
}

/** Drains the outbox: claims due rows, renders and sends each, then records the outcome. */
export function createOutboxWorker(options: OutboxWorkerOptions) {
  const {
    outbox,
    senders,
    usageLogUrl,
    maxAttempts = 8,
    backoffMs = 5_000,
    maxBackoffMs = 3_600_000,
    leaseMs = 120_000,
    batchSize = 50,
    now = () => new Date(),
    onError = () => {},
  } = options;
  const channels = (Object.keys(senders) as Channel[]).filter((c) => senders[c]);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<RunResult> | undefined;

  async function deliver(row: ClaimedRow): Promise<keyof RunResult> {
    const sender = senders[row.channel] as Sender;
    try {
      const { to, params, body } = outbox.open(row);
      if (row.channel === 'webhook') {
        await sender.send({ id: row.id, to, text: body ?? '' });
      } else if (isApplicationTemplate(row.template)) {
        const message = renderApplicationMessage(row.template, row.channel, params, usageLogUrl);
        await sender.send({
          id: row.id,
          to,
          text: message.text,
          ...(row.channel === 'email' ? { subject: message.subject } : {}),
        });
      } else if (row.template === ONE_TIME_CODE_TEMPLATE) {
        // A code that arrives after it stopped working would only confuse: drop it instead.
        if (!params.expiresAt || new Date(params.expiresAt) <= now()) {
          throw new PermanentSendError('the one-time code expired before it could be sent');
        }
        await sender.send({ id: row.id, to, text: renderOneTimeCodeSms(row.lang, params, usageLogUrl) });
      } else if (row.channel === 'email') {
        const mail = renderEmail(row.template, row.lang, params, usageLogUrl);
        await sender.send({ id: row.id, to, subject: mail.subject, text: mail.text });
      } else {
        await sender.send({ id: row.id, to, text: renderSms(row.template, row.lang, usageLogUrl) });
      }
    } catch (error) {
      onError(error, row.id);
      const final = error instanceof PermanentSendError || row.attempts >= maxAttempts;
      const delay = Math.min(maxBackoffMs, backoffMs * 2 ** (row.attempts - 1));
      await outbox.markFailed(
        row.id,
        error instanceof Error ? error.message : String(error),
        final ? null : new Date(now().getTime() + delay),
      );
      return final ? 'dead' : 'retried';
    }
    await outbox.markSent(row.id, now());
    return 'sent';
  }

  async function runOnce(): Promise<RunResult> {
    const result: RunResult = { sent: 0, retried: 0, dead: 0 };
    for (;;) {
      const rows = await outbox.claim(now(), leaseMs, batchSize, channels);
      for (const outcome of await Promise.all(rows.map(deliver))) result[outcome] += 1;
      if (rows.length < batchSize) return result;
    }
  }

  const runShared = (): Promise<RunResult> => {
    running ??= runOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    /** Sends everything due now; resolves when done. Concurrent calls share one run. */
    runOnce: runShared,
    /** Polls every `intervalMs` until stopped. */
    start(intervalMs: number) {
      const tick = () => {
        runShared()
          .catch((error: unknown) => onError(error, '(poll)'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, intervalMs).unref();
          });
      };
      timer = setTimeout(tick, 0).unref();
    },
    /** Stops polling and waits for a send in progress to be recorded. */
    async stop() {
      const t = timer;
      timer = undefined;
      if (t) clearTimeout(t);
      await running?.catch(() => {});
    },
  };
}

export type OutboxWorker = ReturnType<typeof createOutboxWorker>;
