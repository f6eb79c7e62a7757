/**
 * The exchange layer's certificates: a local CA for `npm start` and tests, the platform's client
 * certificate and the demo agencies' server certificates, all ECDSA P-256. Production configures real
 * certificates instead (EXCHANGE_CLIENT_CERT_FILE and friends) and never calls ensureLocalPki.
 */
import { createHash, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A certificate and its private key, both PEM. */
export interface CertifiedKey {
  cert: string;
  key: string;
}

/** A CA that can issue certificates: its PEM certificate and its key. */
export interface CertificateAuthority {
  cert: string;
  key: string;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)?.join('\n')}\n-----END ${label}-----\n`;
}

function derOf(pemText: string): Buffer {
  return Buffer.from(pemText.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

async function importKey(pemText: string): Promise<webcrypto.CryptoKey> {
  return await webcrypto.subtle.importKey('pkcs8', derOf(pemText), ALG, true, ['sign']);
}

const serial = () => {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // a positive INTEGER
  return bytes.toString('hex');
};

/** Creates a self-signed CA (ten years). */
export async function createCertificateAuthority(
  commonName = 'MyData local exchange CA',
): Promise<CertificateAuthority> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}, O=MyData`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

/**
 * Issues an end-entity certificate (two years): `server` for an agency (SAN localhost and 127.0.0.1
 * unless given), `client` for the platform. The extended key usage says which, and agencies check it.
 */
export async function issueCertificate(
  ca: CertificateAuthority,
  options: { commonName: string; usage: 'server' | 'client'; dnsNames?: string[]; ipAddresses?: string[] },
): Promise<CertifiedKey> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const caCert = new x509.X509Certificate(ca.cert);
  const now = Date.now();
  const san =
    options.usage === 'server'
      ? [
          ...(options.dnsNames ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
          ...(options.ipAddresses ?? ['127.0.0.1']).map((value) => ({ type: 'ip' as const, value })),
        ]
      : [];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${options.commonName}, O=MyData`,
    issuer: caCert.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 730 * DAY_MS),
    signingKey: await importKey(ca.key),
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(
        [options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
      ...(san.length ? [new x509.SubjectAlternativeNameExtension(san, false)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

/**
 * The SPKI pin of a certificate: base64 SHA-256 of its DER SubjectPublicKeyInfo (as in RFC 7469).
 * It survives re-issuing a certificate for the same key, so a renewal needs no re-registration.
 */
export function spkiSha256(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

function writeSecret(path: string, content: string) {
  writeFileSync(path, content, { mode: 0o600 });
  // writeFileSync's mode applies only when it creates the file.
  chmodSync(path, 0o600);
}

async function loadOrCreate(
  dir: string,
  name: string,
  make: () => Promise<CertifiedKey>,
): Promise<CertifiedKey> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  }
  const made = await make();
  writeSecret(keyPath, made.key);
  writeFileSync(certPath, made.cert);
  return made;
}

export interface LocalPki {
  /** Folder holding everything (`<MYDATA_DATA_DIR>/pki`). */
  dir: string;
  ca: CertificateAuthority;
  /** The platform's client certificate (CN = platform id, EKU clientAuth). */
  platformClient: CertifiedKey;
  /** Server certificates of the agencies asked for, by agency id. */
  agencies: Map<string, CertifiedKey>;
}

/**
 * Loads the local PKI from `<dataDir>/pki`, creating on first use the CA, the platform's client
 * certificate and a server certificate for each agency id given. Private keys are written mode 0600.
 */
export async function ensureLocalPki(options: {
  dataDir: string;
  platformId: string;
  agencyIds?: string[];
}): Promise<LocalPki> {
  const dir = join(options.dataDir, 'pki');
  mkdirSync(join(dir, 'agencies'), { recursive: true, mode: 0o700 });
  const ca = await loadOrCreate(dir, 'ca', () => createCertificateAuthority());
  const platformClient = await loadOrCreate(dir, 'platform-client', () =>
    issueCertificate(ca, { commonName: options.platformId, usage: 'client' }),
  );
  const agencies = new Map<string, CertifiedKey>();
  for (const id of options.agencyIds ?? []) {
    if (!/^[a-z0-9.-]+$/.test(id)) throw new Error(`not an agency id: ${id}`);
    agencies.set(
      id,
      await loadOrCreate(join(dir, 'agencies'), id, () =>
        issueCertificate(ca, { commonName: id, usage: 'server' }),
      ),
    );
  }
  return { dir, ca, platformClient, agencies };
}
