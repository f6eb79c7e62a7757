import { createHash, type KeyObject, sign } from 'node:crypto';

/**
 * Checkpoints in the C2SP tlog-checkpoint format, signed as a C2SP signed note with Ed25519:
 *
 *     <origin>\n<tree size>\n<base64 root hash>\n\n— <key name> <base64(key id || signature)>\n
 *
 * The key id is the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key), and the verifier
 * key is published as `<name>+<hex key id>+<base64(0x01 || public key)>`, as the spec defines.
 */

const ED25519_TYPE = 0x01;

export interface CheckpointSigner {
  origin: string;
  /** The verifier key string auditors pin. */
  verifierKey: string;
  sign(size: number, root: Buffer): string;
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || !jwk.x) throw new Error('the checkpoint key must be Ed25519');
  return Buffer.from(jwk.x, 'base64url');
}

/** Makes the signer for one log origin; the origin doubles as the key name, as tlog-checkpoint advises. */
export function createCheckpointSigner(
  origin: string,
  key: { privateKey: KeyObject; publicKey: KeyObject },
): CheckpointSigner {
  if (!/^[^\s+]+$/.test(origin)) throw new Error('the log origin must not contain spaces or "+"');
  const pub = rawPublicKey(key.publicKey);
  const keyId = createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${origin}\n`), Buffer.from([ED25519_TYPE]), pub]))
    .digest()
    .subarray(0, 4);
  const verifierKey = `${origin}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519_TYPE]), pub]).toString('base64')}`;
  return {
    origin,
    verifierKey,
    sign(size, root) {
      const body = `${origin}\n${size}\n${root.toString('base64')}\n`;
      const signature = sign(null, Buffer.from(body), key.privateKey);
      return `${body}\n\u2014 ${origin} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
    },
  };
}

/**
 * The default origin for a platform: its public host name and path, schema-less, as tlog origins are.
 * The port is left out so that moving the platform to another port does not make it a different log.
 */
export function defaultLogOrigin(publicUrl: string): string {
  const url = new URL(publicUrl);
  return `${url.hostname}${url.pathname.replace(/\/$/, '')}/mydata-usage-log`;
}
