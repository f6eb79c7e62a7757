/**
 * What a citizen-certificate card does for sign-in: it holds the certificate and key (here a PKCS#12
 * file, on a real card a chip that never lets the key out) and signs the platform's challenge.
 */
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { readPkcs12 } from './pkcs12.ts';

/** An opened card: its certificate (base64 DER) and a signer. */
export interface OpenedCard {
  certificate: string;
  /** ECDSA P-256 SHA-256 over the UTF-8 text, r‖s (IEEE P1363, as WebCrypto signs), base64url. */
  sign(text: string): string;
}

/** Opens a card file with its PIN; throws CardError for a wrong PIN. */
export function openCard(file: Uint8Array, pin: string): OpenedCard {
  const { cert, key } = readPkcs12(file, pin);
  const privateKey = createPrivateKey(key);
  return {
    certificate: new X509Certificate(cert).raw.toString('base64'),
    sign: (text) =>
      sign('sha256', Buffer.from(text, 'utf8'), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString(
        'base64url',
      ),
  };
}

/** The result of a sign-in over HTTP: the JSON answer and the cookies the platform set. */
export interface CardSignIn {
  status: number;
  body: unknown;
  cookies: string[];
}

/**
 * Signs in at a platform with a card: asks for a challenge, signs it, posts the signature. `cookie`
 * carries an existing session or sign-in flow (a step-up or the second method of a first use).
 */
export async function signInWithCard(options: {
  platformUrl: string;
  card: OpenedCard;
  cookie?: string;
  csrfToken?: string;
}): Promise<CardSignIn> {
  const base = options.platformUrl.replace(/\/$/, '');
  // No Origin header: the tool is not a browser, and the platform checks Origin only when one is sent.
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrfToken) headers['x-csrf-token'] = options.csrfToken;
  const c = await fetch(`${base}/api/v1/identity/challenges`, { method: 'POST', headers, body: '{}' });
  if (c.status !== 201) return { status: c.status, body: await c.json(), cookies: [] };
  const challenge = (await c.json()) as { challengeId: string; toBeSigned: string };
  const r = await fetch(`${base}/api/v1/identity/verify/citizen-certificate`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      challengeId: challenge.challengeId,
      certificate: options.card.certificate,
      signature: options.card.sign(challenge.toBeSigned),
    }),
  });
  return { status: r.status, body: await r.json(), cookies: r.headers.getSetCookie() };
}
