import { createHash, X509Certificate } from 'node:crypto';
import { Agent, request } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

/** The platform's side of mutual TLS: its client certificate and the CA bundle agencies chain to. */
export interface ClientTls {
  cert: string;
  key: string;
  ca: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Why a request got no HTTP answer; the gateway maps each to its error code. */
export class TransportError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'timeout' | 'tls' | 'too-large',
    readonly reason: string,
  ) {
    super(`${kind}: ${reason}`);
  }
}

const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
const PIN_MISMATCH = 'ERR_MYDATA_PIN_MISMATCH';
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|ERR_MYDATA_PIN)/;

function classify(error: NodeJS.ErrnoException, reusedSocket: boolean): TransportError {
  const code = error.code ?? '';
  if (TLS_CODE.test(code)) return new TransportError('tls', code === PIN_MISMATCH ? error.message : code);
  // In TLS 1.3 the server checks our certificate after the client has finished its handshake, and a
  // refusal reaches us as a reset of the new connection. (An agency crashing at exactly that moment
  // would be reported the same way; a reset of a kept-alive connection stays "unreachable".)
  if (code === 'ECONNRESET' && !reusedSocket) {
    return new TransportError(
      'tls',
      'the agency closed a new connection at the handshake (our certificate refused?)',
    );
  }
  return new TransportError('unreachable', code || error.message);
}

/**
 * A keep-alive HTTPS client for one agency. The server certificate must chain to the CA AND carry a
 * public key whose SPKI hash is one of the agency's registered pins: a certificate the same CA issued
 * to another agency is refused.
 */
export function createAgencyTransport(options: {
  baseUrl: string;
  tls: ClientTls;
  spkiPins: string[];
  maxSockets: number;
}) {
  const pins = new Set(options.spkiPins);
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.maxSockets,
    cert: options.tls.cert,
    key: options.tls.key,
    ca: options.tls.ca,
    minVersion: 'TLSv1.2',
    checkServerIdentity(host: string, cert: PeerCertificate) {
      const hostError = checkServerIdentity(host, cert);
      if (hostError) return hostError;
      const spki = new X509Certificate(cert.raw).publicKey.export({ type: 'spki', format: 'der' });
      const pin = createHash('sha256').update(spki).digest('base64');
      if (pins.has(pin)) return undefined;
      return Object.assign(new Error(`server certificate key ${pin} is not the registered one`), {
        code: PIN_MISMATCH,
      });
    },
  });
  const base = new URL(options.baseUrl);

  function send(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      let reusedSocket = false;
      let settled = false;
      const fail = (e: TransportError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
        req.destroy();
      };
      const req = request(
        {
          agent,
          method,
          host: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port || 443,
          servername: /^[\d.]+$|:/.test(base.hostname) ? undefined : base.hostname,
          path,
          headers: {
            ...headers,
            ...(body !== undefined
              ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES)
              fail(new TransportError('too-large', `over ${MAX_RESPONSE_BYTES} bytes`));
            else chunks.push(c);
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          });
          res.on('error', (e) => fail(classify(e, true)));
        },
      );
      const timer = setTimeout(
        () => fail(new TransportError('timeout', `no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
      req.on('socket', (socket) => {
        reusedSocket = !socket.connecting;
      });
      req.on('error', (e: NodeJS.ErrnoException) => fail(classify(e, reusedSocket)));
      req.end(body);
    });
  }

  return {
    post: (path: string, headers: Record<string, string>, body: string, timeoutMs: number) =>
      send('POST', path, headers, body, timeoutMs),
    get: (path: string, timeoutMs: number) => send('GET', path, {}, undefined, timeoutMs),
    close: () => agent.destroy(),
  };
}

export type AgencyTransport = ReturnType<typeof createAgencyTransport>;
