import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One e-mail or SMS the local mailbox received. */
export interface MailboxMessage {
  kind: 'email' | 'sms';
  /** The Message-ID of an e-mail, the gateway id of an SMS. */
  id: string;
  receivedAt: string;
  to: string;
  from?: string;
  subject?: string;
  text: string;
}

export interface Mailbox {
  /** Where the platform sends e-mail (SMTP_URL). */
  smtpUrl: string;
  /** Where the platform posts SMS (SMS_GATEWAY_URL). */
  smsUrl: string;
  /** The page listing what arrived. */
  url: string;
  messages(): MailboxMessage[];
  close(): Promise<void>;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function page(messages: MailboxMessage[]): string {
  const rows = messages
    .slice()
    .reverse()
    .map(
      (m) => `<article>
  <header><strong>${m.kind === 'email' ? '電子郵件 E-mail' : '簡訊 SMS'}</strong> → ${escapeHtml(m.to)}
  <time datetime="${m.receivedAt}">${escapeHtml(m.receivedAt)}</time></header>
  ${m.subject ? `<h2>${escapeHtml(m.subject)}</h2>` : ''}
  <pre>${escapeHtml(m.text)}</pre>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-TW">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>MyData 示範信箱 Demo mailbox</title>
<style>
body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
article{border:1px solid #ccc;border-radius:.5rem;padding:.75rem 1rem;margin:1rem 0}
header{color:#444;font-size:.9rem;display:flex;gap:1rem;flex-wrap:wrap}
h2{font-size:1.1rem;margin:.5rem 0}
pre{white-space:pre-wrap;font-family:inherit;margin:0}
</style>
</head>
<body>
<h1>MyData 示範信箱 <span lang="en">Demo mailbox</span></h1>
<p>平臺寄出的電子郵件與簡訊都會送到這裡（僅供本機示範，不會真的寄出）。<br>
<span lang="en">Every e-mail and SMS the platform sends lands here; nothing leaves this machine.</span></p>
<p>共 ${messages.length} 則 <span lang="en">(${messages.length} messages)</span> · <a href="/messages">JSON</a></p>
${rows || '<p>尚無訊息 <span lang="en">No messages yet</span></p>'}
</body>
</html>
`;
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The local mailbox of the embedded default: an SMTP server and an SMS gateway sink that keep what
 * they receive in memory, and a page that lists it. Only for a machine's own demo: it accepts mail
 * from anyone who can reach it, so it listens on the loopback address by default.
 */
export async function startMailbox(
  options: { host?: string; smtpPort?: number; httpPort?: number; keep?: number } = {},
): Promise<Mailbox> {
  const host = options.host ?? '127.0.0.1';
  const keep = options.keep ?? 500;
  const messages: MailboxMessage[] = [];
  const smsIds = new Set<string>();
  const add = (m: MailboxMessage) => {
    messages.push(m);
    if (messages.length > keep) messages.splice(0, messages.length - keep);
  };

  const smtp = new SMTPServer({
    // Plain SMTP on loopback: no certificate to trust, no password to configure for a demo.
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          add({
            kind: 'email',
            id: mail.messageId ?? `mail-${messages.length}`,
            receivedAt: new Date().toISOString(),
            to: session.envelope.rcptTo.map((r) => r.address).join(', '),
            from: typeof session.envelope.mailFrom === 'object' ? session.envelope.mailFrom.address : '',
            subject: mail.subject ?? '',
            text: mail.text ?? '',
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, host, () => resolve());
  });

  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type }).end(body);
  };
  const http = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/')
      return send(res, 200, 'text/html; charset=utf-8', page(messages));
    if (req.method === 'GET' && path === '/messages') {
      return send(res, 200, 'application/json', JSON.stringify({ messages }));
    }
    if (req.method === 'POST' && path === '/sms') {
      readJson(req, 16 * 1024).then(
        (body) => {
          const b = body as { id?: unknown; to?: unknown; text?: unknown };
          if (typeof b.id !== 'string' || typeof b.to !== 'string' || typeof b.text !== 'string') {
            return send(res, 400, 'application/json', '{"error":"expected {id, to, text} strings"}');
          }
          // Like a real gateway, a retried request with the same id is accepted but not sent again.
          if (!smsIds.has(b.id)) {
            smsIds.add(b.id);
            add({ kind: 'sms', id: b.id, receivedAt: new Date().toISOString(), to: b.to, text: b.text });
          }
          return send(res, 202, 'application/json', '{"accepted":true}');
        },
        () => send(res, 400, 'application/json', '{"error":"expected a JSON body"}'),
      );
      return;
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found');
  });
  await new Promise<void>((resolve) => http.listen(options.httpPort ?? 0, host, resolve));

  const at = (port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const httpPort = (http.address() as AddressInfo).port;
  return {
    smtpUrl: `smtp://${at(smtpPort)}`,
    smsUrl: `http://${at(httpPort)}/sms`,
    url: `http://${at(httpPort)}/`,
    messages: () => [...messages],
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
