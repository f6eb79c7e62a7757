/**
 * Opens a citizen-certificate card file (PKCS#12, RFC 7292) in the browser with WebCrypto, and signs
 * a sign-in challenge with its key. It reads what the platform's cards are: password integrity with
 * an HMAC-SHA-256 MAC (RFC 7292 appendix B key derivation), a certificate bag and a PKCS#8 shrouded
 * key bag encrypted with PBES2 (PBKDF2 + AES-CBC), in plain `data` contents, DER-encoded. The file
 * and the PIN never leave the browser: only the certificate and a signature are sent.
 */

export class CardFileError extends Error {
  constructor(readonly reason: 'not-a-card' | 'wrong-pin' | 'unsupported') {
    super(reason);
    this.name = 'CardFileError';
  }
}

interface Node {
  tag: number;
  /** The value's bytes. */
  value: Uint8Array<ArrayBuffer>;
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  x509: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacSha1: '1.2.840.113549.2.7',
  hmacSha256: '1.2.840.113549.2.9',
  hmacSha384: '1.2.840.113549.2.10',
  hmacSha512: '1.2.840.113549.2.11',
  aes128cbc: '2.16.840.1.101.3.4.1.2',
  aes192cbc: '2.16.840.1.101.3.4.1.22',
  aes256cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

const PRF_HASH: Record<string, string> = {
  [OID.hmacSha1]: 'SHA-1',
  [OID.hmacSha256]: 'SHA-256',
  [OID.hmacSha384]: 'SHA-384',
  [OID.hmacSha512]: 'SHA-512',
};
const AES_BITS: Record<string, number> = { [OID.aes128cbc]: 128, [OID.aes192cbc]: 192, [OID.aes256cbc]: 256 };

/** One DER TLV at `at`; throws on anything malformed. */
function read(bytes: Uint8Array<ArrayBuffer>, at = 0): Node & { next: number } {
  const tag = bytes[at];
  let length = bytes[at + 1];
  if (tag === undefined || length === undefined) throw new CardFileError('not-a-card');
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new CardFileError('not-a-card');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] ?? 0);
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new CardFileError('not-a-card');
  return { tag, value: bytes.slice(start, end), next: end };
}

/** The TLVs inside a constructed value. */
function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let at = 0; at < node.value.length; ) {
    const child = read(node.value, at);
    out.push(child);
    at = child.next;
  }
  return out;
}

function expect(node: Node | undefined, tag: number): Node {
  if (!node || node.tag !== tag) throw new CardFileError('not-a-card');
  return node;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTETS = 0x04;
const OBJECT_ID = 0x06;
const EXPLICIT_0 = 0xa0;

function oid(node: Node | undefined): string {
  const bytes = expect(node, OBJECT_ID).value;
  const first = bytes[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let n = 0;
  for (const b of bytes.slice(1)) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

function integer(node: Node | undefined): number {
  let n = 0;
  for (const b of expect(node, INTEGER).value) n = n * 256 + b;
  return n;
}

const seq = (node: Node | undefined) => children(expect(node, SEQUENCE));

/** The octets of a ContentInfo of type data: `SEQUENCE { data, [0] { OCTET STRING } }`. */
function dataContent(node: Node | undefined): Uint8Array<ArrayBuffer> {
  const [type, content] = seq(node);
  if (oid(type) !== OID.data) throw new CardFileError('unsupported');
  return expect(children(expect(content, EXPLICIT_0))[0], OCTETS).value;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** RFC 7292 appendix B.2 with SHA-256, ID 3 (MAC key), one 32-byte block. */
async function macKey(pin: string, salt: Uint8Array, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  const v = 64;
  const fill = (src: Uint8Array) => {
    const out = new Uint8Array(src.length ? v * Math.ceil(src.length / v) : 0);
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length] as number;
    return out;
  };
  const bmp = new Uint8Array((pin.length + 1) * 2);
  for (let i = 0; i < pin.length; i++) {
    bmp[i * 2] = pin.charCodeAt(i) >> 8;
    bmp[i * 2 + 1] = pin.charCodeAt(i) & 0xff;
  }
  let a = concat(new Uint8Array(v).fill(3), fill(salt), fill(bmp));
  for (let i = 0; i < iterations; i++) a = new Uint8Array(await crypto.subtle.digest('SHA-256', a));
  return a;
}

async function checkMac(pin: string, authSafe: Uint8Array<ArrayBuffer>, macData: Node | undefined) {
  const [mac, salt, iterations] = seq(macData);
  const [algorithm, digest] = seq(mac);
  if (oid(seq(algorithm)[0]) !== OID.sha256) throw new CardFileError('unsupported');
  const count = iterations ? integer(iterations) : 1;
  if (count > 10_000_000) throw new CardFileError('unsupported');
  const key = await crypto.subtle.importKey(
    'raw',
    await macKey(pin, expect(salt, OCTETS).value, count),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  if (!(await crypto.subtle.verify('HMAC', key, expect(digest, OCTETS).value, authSafe)))
    throw new CardFileError('wrong-pin');
}

/** Decrypts an EncryptedPrivateKeyInfo (PBES2: PBKDF2 + AES-CBC) to PKCS#8 DER. */
async function decryptKey(pin: string, encrypted: Node): Promise<ArrayBuffer> {
  const [algorithm, data] = seq(encrypted);
  const [scheme, params] = seq(algorithm);
  if (oid(scheme) !== OID.pbes2) throw new CardFileError('unsupported');
  const [kdf, cipher] = seq(params);
  const [kdfOid, kdfParams] = seq(kdf);
  if (oid(kdfOid) !== OID.pbkdf2) throw new CardFileError('unsupported');
  const [salt, iterations, ...rest] = seq(kdfParams);
  const prf = rest.find((n) => n.tag === SEQUENCE);
  const hash = prf ? PRF_HASH[oid(seq(prf)[0])] : 'SHA-1';
  const [cipherOid, iv] = seq(cipher);
  const bits = AES_BITS[oid(cipherOid)];
  if (!hash || !bits) throw new CardFileError('unsupported');
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, [
    'deriveKey',
  ]);
  const key = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', salt: expect(salt, OCTETS).value, iterations: integer(iterations), hash },
    base,
    { name: 'AES-CBC', length: bits },
    false,
    ['decrypt'],
  );
  try {
    return await crypto.subtle.decrypt(
      { name: 'AES-CBC', iv: expect(iv, OCTETS).value },
      key,
      expect(data, OCTETS).value,
    );
  } catch {
    throw new CardFileError('wrong-pin');
  }
}

export interface OpenedCard {
  /** The certificate, base64 DER, as the platform's sign-in takes it. */
  certificate: string;
  /** Signs UTF-8 text with the card's key: ECDSA P-256 SHA-256, IEEE P1363 (r‖s), base64url. */
  sign(text: string): Promise<string>;
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const base64url = (bytes: Uint8Array) =>
  base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Opens a card file with its PIN; throws CardFileError('wrong-pin' | 'not-a-card' | 'unsupported'). */
export async function openCardFile(file: ArrayBuffer, pin: string): Promise<OpenedCard> {
  let pfx: Node[];
  try {
    pfx = seq(read(new Uint8Array(file)));
  } catch {
    throw new CardFileError('not-a-card');
  }
  const [, authSafeInfo, macData] = pfx;
  const authSafe = dataContent(authSafeInfo);
  if (!macData) throw new CardFileError('unsupported');
  await checkMac(pin, authSafe, macData);
  let cert: Uint8Array | undefined;
  let pkcs8: ArrayBuffer | undefined;
  for (const info of seq(read(authSafe))) {
    for (const bag of seq(read(dataContent(info)))) {
      const [bagId, wrapped] = seq(bag);
      const value = children(expect(wrapped, EXPLICIT_0))[0];
      const id = oid(bagId);
      if (id === OID.certBag) {
        const [certId, certValue] = seq(value);
        if (oid(certId) === OID.x509) cert = expect(children(expect(certValue, EXPLICIT_0))[0], OCTETS).value;
      } else if (id === OID.shroudedKeyBag && value) {
        pkcs8 = await decryptKey(pin, value);
      }
    }
  }
  if (!cert || !pkcs8) throw new CardFileError('unsupported');
  let key: Awaited<ReturnType<typeof crypto.subtle.importKey>>;
  try {
    key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
    ]);
  } catch {
    // A wrong PIN that happened to leave valid padding still yields no key.
    throw new CardFileError('wrong-pin');
  }
  return {
    certificate: base64(cert),
    async sign(text) {
      const signature = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        key,
        new TextEncoder().encode(text),
      );
      return base64url(new Uint8Array(signature));
    },
  };
}
