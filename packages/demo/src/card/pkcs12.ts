/**
 * PKCS#12 (RFC 7292) files for the demo citizen-certificate "cards": one certificate bag and one
 * shrouded key bag (PBES2: PBKDF2-HMAC-SHA-256 + AES-256-CBC, what OpenSSL 3 writes by default),
 * with an HMAC-SHA-256 integrity MAC. Built from @peculiar/asn1-pfx, the ASN.1 schemas behind
 * @peculiar/x509, since node-forge cannot hold EC keys in PKCS#12 and pkijs would add a second ASN.1
 * stack; the key is encrypted by node:crypto itself. `openssl pkcs12 -info` reads the result.
 */
import {
  createHash,
  createHmac,
  createPrivateKey,
  randomBytes,
  timingSafeEqual,
  X509Certificate,
} from 'node:crypto';
import { ContentInfo, id_data } from '@peculiar/asn1-cms';
import {
  AuthenticatedSafe,
  CertBag,
  id_certBag,
  id_pkcs8ShroudedKeyBag,
  id_x509Certificate,
  MacData,
  PFX,
  SafeBag,
  SafeContents,
} from '@peculiar/asn1-pfx';
import { DigestInfo } from '@peculiar/asn1-rsa';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';

const SHA256 = '2.16.840.1.101.3.4.2.1';
const MAC_ITERATIONS = 10_000;

const ab = (b: Uint8Array): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const octets = (b: Uint8Array) => AsnConvert.serialize(new OctetString(ab(b)));
const fromOctets = (der: ArrayBuffer) => Buffer.from(AsnConvert.parse(der, OctetString).buffer);

/** RFC 7292 appendix B.2 key derivation for the MAC key (ID 3), SHA-256, one 32-byte block. */
function pkcs12MacKey(password: string, salt: Uint8Array, iterations: number): Buffer {
  const v = 64;
  const fill = (src: Buffer) => {
    if (src.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length] as number;
    return out;
  };
  // The password as a BMPString: UTF-16 big-endian with a two-byte terminator.
  const bmp = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) bmp.writeUInt16BE(password.charCodeAt(i), i * 2);
  let a = Buffer.concat([Buffer.alloc(v, 3), fill(Buffer.from(salt)), fill(bmp)]);
  for (let i = 0; i < iterations; i++) a = createHash('sha256').update(a).digest();
  return a;
}

/** Writes a PKCS#12 file holding a certificate and its private key (both PEM), protected by `password`. */
export function writePkcs12(options: {
  cert: string;
  key: string;
  password: string;
  friendlyName?: string;
}): Buffer {
  const certDer = new X509Certificate(options.cert).raw;
  const encryptedKey = createPrivateKey(options.key).export({
    format: 'der',
    type: 'pkcs8',
    cipher: 'aes-256-cbc',
    passphrase: options.password,
  });
  const certBag = new SafeBag({
    bagId: id_certBag,
    bagValue: AsnConvert.serialize(new CertBag({ certId: id_x509Certificate, certValue: octets(certDer) })),
  });
  const keyBag = new SafeBag({ bagId: id_pkcs8ShroudedKeyBag, bagValue: ab(encryptedKey) });
  const data = (items: SafeBag[]) =>
    new ContentInfo({
      contentType: id_data,
      content: octets(Buffer.from(AsnConvert.serialize(new SafeContents(items)))),
    });
  const authSafe = Buffer.from(
    AsnConvert.serialize(new AuthenticatedSafe([data([certBag]), data([keyBag])])),
  );
  const salt = randomBytes(16);
  const mac = createHmac('sha256', pkcs12MacKey(options.password, salt, MAC_ITERATIONS))
    .update(authSafe)
    .digest();
  const pfx = new PFX({
    version: 3,
    authSafe: new ContentInfo({ contentType: id_data, content: octets(authSafe) }),
    macData: new MacData({
      mac: new DigestInfo({
        digestAlgorithm: new AlgorithmIdentifier({ algorithm: SHA256, parameters: null }),
        digest: new OctetString(ab(mac)),
      }),
      macSalt: new OctetString(ab(salt)),
      iterations: MAC_ITERATIONS,
    }),
  });
  return Buffer.from(AsnConvert.serialize(pfx));
}

/** Thrown when the password is wrong or the file is not a card this module wrote. */
export class CardError extends Error {
  override name = 'CardError';
}

/** Opens a PKCS#12 file: checks its MAC with the password and returns the certificate and key (PEM). */
export function readPkcs12(file: Uint8Array, password: string): { cert: string; key: string } {
  let pfx: PFX;
  try {
    pfx = AsnConvert.parse(ab(file), PFX);
  } catch {
    throw new CardError('not a PKCS#12 file');
  }
  if (pfx.authSafe.contentType !== id_data)
    throw new CardError('only password-integrity PKCS#12 files are supported');
  const authSafe = fromOctets(pfx.authSafe.content);
  const md = pfx.macData;
  if (!md || md.mac.digestAlgorithm.algorithm !== SHA256) throw new CardError('the file has no SHA-256 MAC');
  const expected = createHmac('sha256', pkcs12MacKey(password, Buffer.from(md.macSalt.buffer), md.iterations))
    .update(authSafe)
    .digest();
  const given = Buffer.from(md.mac.digest.buffer);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new CardError('wrong PIN');
  let cert: string | undefined;
  let key: string | undefined;
  for (const info of AsnConvert.parse(ab(authSafe), AuthenticatedSafe)) {
    if (info.contentType !== id_data) continue;
    for (const bag of AsnConvert.parse(ab(fromOctets(info.content)), SafeContents)) {
      if (bag.bagId === id_certBag) {
        const c = AsnConvert.parse(bag.bagValue, CertBag);
        cert = new X509Certificate(fromOctets(c.certValue)).toString();
      } else if (bag.bagId === id_pkcs8ShroudedKeyBag) {
        key = createPrivateKey({
          key: Buffer.from(bag.bagValue),
          format: 'der',
          type: 'pkcs8',
          passphrase: password,
        })
          .export({ format: 'pem', type: 'pkcs8' })
          .toString();
      }
    }
  }
  if (!cert || !key) throw new CardError('the file lacks a certificate or a key');
  return { cert, key };
}
