import nodemailer from 'nodemailer';

/** One message ready to go; `id` is the outbox id, sent along so receivers can drop a duplicate. */
export interface OutgoingMessage {
  id: string;
  to: string;
  subject?: string;
  text: string;
}

export interface Sender {
  send(message: OutgoingMessage): Promise<void>;
  close?(): Promise<void> | void;
}

/** A refusal that retrying cannot fix (a rejected address); the message is dead-lettered at once. */
export class PermanentSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentSendError';
  }
}

/** Sends well within the outbox lease, so a slow server never lets a second worker take the same message. */
export const SEND_TIMEOUT_MS = 20_000;

/** E-mail over SMTP with nodemailer; `url` is e.g. `smtp://user:pass@mail.example.org:587` or `smtps://…`. */
export function createSmtpSender({ url, from }: { url: string; from: string }): Sender {
  const transport = nodemailer.createTransport({
    // A few reused connections: a worker sends a batch at once, and servers throttle connection storms.
    pool: true,
    maxConnections: 5,
    url,
    connectionTimeout: SEND_TIMEOUT_MS / 2,
    greetingTimeout: SEND_TIMEOUT_MS / 2,
    socketTimeout: SEND_TIMEOUT_MS,
  });
  return {
    async send(m) {
      try {
        await transport.sendMail({
          from,
          to: m.to,
          subject: m.subject ?? '',
          text: m.text,
          // A stable Message-ID lets mail systems recognise a resend of the same notification.
          messageId: `<${m.id}@mydata.notifications>`,
          headers: { 'X-MyData-Notification': m.id },
        });
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        // 5xx is the server's final answer for this message (e.g. no such mailbox); 4xx is worth retrying.
        if (code !== undefined && code >= 500) throw new PermanentSendError((error as Error).message);
        throw error;
      }
    },
    close: () => transport.close(),
  };
}

/**
 * SMS through an HTTP gateway: `POST url` with `{"id","to","text"}` as JSON and the id again as an
 * Idempotency-Key header. Any 2xx is accepted; 4xx other than 408/429 is final.
 */
export function createSmsGatewaySender({
  url,
  fetchImpl = fetch,
}: {
  url: string;
  fetchImpl?: typeof fetch;
}): Sender {
  return {
    async send(m) {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': m.id },
        body: JSON.stringify({ id: m.id, to: m.to, text: m.text }),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) return;
      const detail = `SMS gateway answered ${response.status}`;
      if (
        response.status >= 400 &&
        response.status < 500 &&
        response.status !== 408 &&
        response.status !== 429
      ) {
        throw new PermanentSendError(detail);
      }
      throw new Error(detail);
    },
  };
}

/**
 * Webhooks to service providers: `POST` the signed event as `application/jwt` to the service's URL,
 * with the outbox id as Idempotency-Key so a resend can be recognised. Any 2xx is accepted; 4xx
 * other than 408/429 is final; anything else is retried with backoff.
 */
export function createWebhookSender({ fetchImpl = fetch }: { fetchImpl?: typeof fetch } = {}): Sender {
  return {
    async send(m) {
      const response = await fetchImpl(m.to, {
        method: 'POST',
        headers: { 'content-type': 'application/jwt', 'idempotency-key': m.id },
        body: m.text,
        redirect: 'manual',
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) return;
      const detail = `webhook answered ${response.status}`;
      if (
        response.status >= 400 &&
        response.status < 500 &&
        response.status !== 408 &&
        response.status !== 429
      ) {
        throw new PermanentSendError(detail);
      }
      throw new Error(detail);
    },
  };
}
