import { createHmac } from 'node:crypto';

/**
 * The pairwise pseudonymous subject a service (or a sector of services, as OIDC's
 * sector_identifier_uri groups them) sees for a citizen: HMAC-SHA-256 under a platform key of the
 * citizen reference and the sector id, base64url. Two sectors cannot join their users on it, and it
 * never reveals the national ID. Length-prefixing keeps ("ab","c") and ("a","bc") apart.
 */
export function pairwiseSubject(key: Uint8Array, citizenRef: string, sectorId: string): string {
  if (!citizenRef || !sectorId)
    throw new RangeError('pairwise subject needs a citizen reference and a sector id');
  return createHmac('sha256', key)
    .update(`mydata-pairwise-v1\n${citizenRef.length}:${citizenRef}\n${sectorId.length}:${sectorId}`)
    .digest('base64url');
}
