/**
 * Sign-in with a citizen digital certificate (自然人憑證): the card signs a fresh, single-use server
 * challenge with ECDSA P-256 / SHA-256; the platform checks the certificate and the signature.
 */
import { randomBytes, verify as verifySignature, X509Certificate } from 'node:crypto';
import { AppError, isValidNationalId } from '@mydata/core';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { Type } from 'typebox';
import { type Authenticator, VerificationFailure } from './authenticators.ts';
import { SERIAL_NUMBER_OID } from './national-ca.ts';
import type { IdentityRepo } from './repository.ts';

/** What the card signs: a fixed label, the platform's address and the challenge, one per line (UTF-8). */
export function challengeText(audience: string, challengeId: string, nonce: string): string {
  return `MYDATA-CITIZEN-CERTIFICATE-SIGN-IN-V1\n${audience}\n${challengeId}\n${nonce}`;
}

export const CertificateSignIn = Type.Object(
  {
    challengeId: Type.String({ format: 'uuid' }),
    certificate: Type.String({
      minLength: 100,
      maxLength: 8000,
      description: 'The citizen certificate, base64 DER (or PEM)',
    }),
    signature: Type.String({
      pattern: '^[A-Za-z0-9_-]{80,100}$',
      description:
        'ECDSA P-256 SHA-256 signature of the challenge text, r‖s (IEEE P1363, as WebCrypto makes it), base64url',
    }),
  },
  { additionalProperties: false },
);
interface CertificateBody {
  challengeId: string;
  certificate: string;
  signature: string;
}

export interface CertificateAuthenticatorOptions {
  repo: IdentityRepo;
  /** The national CA certificate(s), PEM. */
  caCert: string;
  /** The current CRL of that CA, DER. */
  crl: () => Promise<Uint8Array>;
  /** The platform's public URL: signed into the challenge so a signature cannot be relayed elsewhere. */
  audience: string;
  /** Challenge lifetime; 120 s by default. */
  challengeSeconds?: number;
}

const reject = (reason: string, nationalId?: string) =>
  new VerificationFailure(new AppError('identity.certificate-rejected', { reason }), nationalId);

function parseCertificate(text: string): X509Certificate {
  try {
    return new X509Certificate(text.includes('-----BEGIN') ? text : Buffer.from(text, 'base64'));
  } catch {
    throw reject('not an X.509 certificate');
  }
}

/** The citizen-certificate authenticator and the challenge issuer its clients call first. */
export function createCertificateAuthenticator(options: CertificateAuthenticatorOptions) {
  const ca = new X509Certificate(options.caCert);
  const caPeculiar = new x509.X509Certificate(options.caCert);
  const lifetime = (options.challengeSeconds ?? 120) * 1000;

  // The CRL changes rarely and is the same bytes between changes: parse and verify it once per version.
  let checked: { der: Uint8Array; revoked: Set<string>; nextUpdate: Date | undefined } | undefined;
  const normalSerial = (hex: string) => hex.toLowerCase().replace(/^0+/, '');

  async function checkRevocation(serialHex: string, now: Date) {
    const der = await options.crl();
    if (checked?.der !== der) {
      const crl = new x509.X509Crl(der);
      // A CRL the CA did not sign says nothing about revocation.
      if (!(await crl.verify({ publicKey: caPeculiar })))
        throw reject('the revocation list is not signed by the CA');
      checked = {
        der,
        revoked: new Set(crl.entries.map((e) => normalSerial(e.serialNumber))),
        nextUpdate: crl.nextUpdate,
      };
    }
    // Nor does one past its nextUpdate: fail closed rather than accept a card that may be revoked.
    if (checked.nextUpdate && checked.nextUpdate <= now) throw reject('the revocation list is out of date');
    return checked.revoked.has(normalSerial(serialHex));
  }

  const authenticator: Authenticator = {
    method: 'citizen-certificate',
    assurance: 'high',
    body: CertificateSignIn,
    async verify(raw, { now }) {
      const body = raw as CertificateBody;
      const cert = parseCertificate(body.certificate);
      if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
        throw reject('it was not issued by the national certificate authority');
      }
      // From here the certificate is genuine, so its subject may be told about failures.
      const parsed = new x509.X509Certificate(cert.raw);
      const nationalId = parsed.subjectName.getField(SERIAL_NUMBER_OID)[0];
      if (!nationalId || !isValidNationalId(nationalId)) throw reject('it does not name a citizen');
      if (new Date(cert.validFrom) > now) throw reject('it is not valid yet', nationalId);
      if (new Date(cert.validTo) <= now) throw reject('it has expired', nationalId);
      const ku = parsed.getExtension(x509.KeyUsagesExtension);
      if (!ku || (ku.usages & x509.KeyUsageFlags.digitalSignature) === 0) {
        throw reject('it is not meant for signatures (key usage)', nationalId);
      }
      if (parsed.getExtension(x509.BasicConstraintsExtension)?.ca)
        throw reject('it is a CA certificate', nationalId);
      if (await checkRevocation(cert.serialNumber, now)) throw reject('it has been revoked', nationalId);
      const challenge = await options.repo.consumeChallenge(body.challengeId, now);
      if (!challenge.ok) {
        const reason = { unknown: 'is unknown', used: 'has already been used', expired: 'has expired' }[
          challenge.reason
        ];
        throw new VerificationFailure(new AppError('identity.challenge-invalid', { reason }), nationalId);
      }
      const text = challengeText(options.audience, body.challengeId, challenge.nonce);
      let ok = false;
      try {
        ok = verifySignature(
          'sha256',
          Buffer.from(text, 'utf8'),
          { key: cert.publicKey, dsaEncoding: 'ieee-p1363' },
          Buffer.from(body.signature, 'base64url'),
        );
      } catch {
        ok = false;
      }
      if (!ok) throw reject('the signature does not match the challenge', nationalId);
      return { nationalId };
    },
  };

  return {
    authenticator,
    /** A fresh challenge: its id, the exact text to sign and when it expires. */
    async challenge(now: Date): Promise<{ challengeId: string; toBeSigned: string; expiresAt: string }> {
      const nonce = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + lifetime);
      const challengeId = await options.repo.createChallenge({ nonce, expiresAt });
      return {
        challengeId,
        toBeSigned: challengeText(options.audience, challengeId, nonce),
        expiresAt: expiresAt.toISOString(),
      };
    },
  };
}
