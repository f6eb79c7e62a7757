/**
 * The national test CA for citizen digital certificates (自然人憑證), a stand-in for MOICA (內政部
 * 憑證管理中心). It is separate from the exchange CA: a citizen certificate must never open a mutual
 * TLS channel to an agency, and an agency certificate must never sign a citizen in.
 *
 * Subject: `CN=<name>, serialNumber=<national ID>, C=TW`. The real MOICA certificate carries in
 * serialNumber only the last four digits of the ID and a card number, and relying parties map it to
 * a person through MOICA's ID-check service; the test CA puts the whole ID there so the platform
 * can map without that service. The certificate is shown to the platform only.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { type CertificateAuthority, type CertifiedKey, createCertificateAuthority } from '../exchange/pki.ts';

x509.cryptoProvider.set(webcrypto as never);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** OID of the X.520 serialNumber attribute, where the citizen's ID travels. */
export const SERIAL_NUMBER_OID = '2.5.4.5';

export interface CitizenCertificateOptions {
  nationalId: string;
  commonName?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** Key usage flags; digitalSignature by default. Tests issue wrong ones on purpose. */
  keyUsage?: number;
}

export interface NationalCa {
  /** The CA certificate (PEM), what the platform trusts for citizen sign-in. */
  cert: string;
  /** Issues a citizen certificate with a fresh P-256 key. */
  issue(options: CitizenCertificateOptions): Promise<CertifiedKey & { serialNumber: string }>;
  /** Adds a certificate's serial (hex) to the revocation list and re-signs the CRL. */
  revoke(serialNumber: string, at?: Date): Promise<void>;
  /** The current CRL, DER. */
  crl(): Promise<Uint8Array>;
}

const serial = () => {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
};

const derOf = (pemText: string) =>
  Buffer.from(pemText.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const b64 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key)).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${b64.match(/.{1,64}/g)?.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

interface Revocation {
  serialNumber: string;
  revokedAt: string;
}

/**
 * A national test CA held in memory or, with `dir`, in files there (ca.crt, ca.key mode 0600,
 * revoked.json, crl.der) so revocations survive restarts and are seen by every process reading them.
 */
export async function openNationalCa(
  options: { dir?: string; ca?: CertificateAuthority; crlDays?: number; now?: () => Date } = {},
): Promise<NationalCa> {
  const now = options.now ?? (() => new Date());
  const crlDays = options.crlDays ?? 7;
  let ca = options.ca;
  const files = options.dir
    ? {
        cert: join(options.dir, 'ca.crt'),
        key: join(options.dir, 'ca.key'),
        revoked: join(options.dir, 'revoked.json'),
        crl: join(options.dir, 'crl.der'),
      }
    : undefined;
  if (!ca && files && existsSync(files.cert) && existsSync(files.key)) {
    ca = { cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') };
  }
  if (!ca) {
    ca = await createCertificateAuthority('MyData national test CA (自然人憑證測試)');
    if (files && options.dir) {
      mkdirSync(options.dir, { recursive: true, mode: 0o700 });
      writeFileSync(files.key, ca.key, { mode: 0o600 });
      chmodSync(files.key, 0o600);
      writeFileSync(files.cert, ca.cert);
    }
  }
  const authority = ca;
  const caCert = new x509.X509Certificate(authority.cert);
  const signingKey = await webcrypto.subtle.importKey('pkcs8', derOf(authority.key), ALG, false, ['sign']);
  const readRevoked = (): Revocation[] =>
    files && existsSync(files.revoked)
      ? (JSON.parse(readFileSync(files.revoked, 'utf8')) as Revocation[])
      : [];
  let revoked = readRevoked();
  let crlCache: { der: Uint8Array; nextUpdate: Date } | undefined;

  async function signCrl(): Promise<Uint8Array> {
    const at = now();
    const crl = await x509.X509CrlGenerator.create({
      issuer: caCert.subject,
      thisUpdate: at,
      nextUpdate: new Date(at.getTime() + crlDays * DAY_MS),
      entries: revoked.map((r) => ({ serialNumber: r.serialNumber, revocationDate: new Date(r.revokedAt) })),
      signingKey,
      signingAlgorithm: ALG,
    });
    const der = new Uint8Array(crl.rawData);
    crlCache = { der, nextUpdate: crl.nextUpdate ?? at };
    if (files) writeFileSync(files.crl, der);
    return der;
  }

  return {
    cert: authority.cert,
    async issue(o) {
      const keys = (await webcrypto.subtle.generateKey(ALG, true, [
        'sign',
        'verify',
      ])) as webcrypto.CryptoKeyPair;
      const at = now();
      const serialNumber = serial();
      const name = [
        ...(o.commonName ? [{ CN: [o.commonName] }] : []),
        { [SERIAL_NUMBER_OID]: [o.nationalId] },
        { C: ['TW'] },
      ];
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber,
        subject: name as never,
        issuer: caCert.subject,
        notBefore: o.notBefore ?? new Date(at.getTime() - DAY_MS),
        notAfter: o.notAfter ?? new Date(at.getTime() + 5 * 365 * DAY_MS),
        signingKey,
        publicKey: keys.publicKey,
        signingAlgorithm: ALG,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(o.keyUsage ?? x509.KeyUsageFlags.digitalSignature, true),
          await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
        ],
      });
      return { cert: cert.toString('pem'), key: await pkcs8Pem(keys.privateKey), serialNumber };
    },
    async revoke(serialNumber, at = now()) {
      revoked = readRevoked();
      if (!revoked.some((r) => r.serialNumber === serialNumber.toLowerCase())) {
        revoked.push({ serialNumber: serialNumber.toLowerCase(), revokedAt: at.toISOString() });
        if (files) writeFileSync(files.revoked, `${JSON.stringify(revoked, null, 2)}\n`);
      }
      await signCrl();
    },
    async crl() {
      // Another process (the card tool, an operator) may have revoked since: the file decides.
      if (files) {
        const onDisk = readRevoked();
        if (onDisk.length !== revoked.length) {
          revoked = onDisk;
          crlCache = undefined;
        }
      }
      // Re-signed a day before it runs out, so a relying party never sees an expired CRL.
      if (!crlCache || crlCache.nextUpdate.getTime() - now().getTime() < DAY_MS) return signCrl();
      return crlCache.der;
    },
  };
}
