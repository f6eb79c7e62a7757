/**
 * Consent receipts as the platform issues them (docs/consent.md): the fields of what the citizen read
 * on a screen, canonical JSON (RFC 8785), signed ES256 with the platform's key. Online consents,
 * counter cases and the other parties of a multi-person application all issue them here.
 */
import {
  type AssuranceLevel,
  type ConsentReceipt,
  canonicalReceipt,
  PLATFORM_SIGNING_ALGORITHM,
  RECEIPT_JWS_TYPE,
  RECEIPT_VERSION,
} from '@mydata/core';
import { CompactSign, importJWK, type JWK } from 'jose';
import type { ServiceScreen } from '../catalogue/screen.ts';

/** The receipt of a consent given on `screen`, naming the citizen only by their pairwise subject. */
export function receiptOf(o: {
  id: string;
  at: Date;
  issuer: string;
  screen: ServiceScreen;
  subject: string;
  mode: string;
  validUntil: Date;
  assurance: { level: AssuranceLevel; methods: readonly string[] };
}): ConsentReceipt {
  const { service, purpose, datasets } = o.screen;
  return {
    version: RECEIPT_VERSION,
    receiptId: o.id,
    issuedAt: o.at.toISOString(),
    jurisdiction: 'TW',
    issuer: o.issuer,
    controller: { id: service.provider.id, name: service.provider.name },
    service: { id: service.id, name: service.name },
    subject: o.subject,
    purposes: [{ dpv: purpose.dpv, description: purpose.description }],
    datasets: datasets.map((d) => ({
      id: d.id,
      agencyId: d.agency.id,
      fields: d.fields.map((f) => f.name),
      required: d.required,
    })),
    mode: o.mode,
    oneTime: true,
    retentionDays: service.retentionDays,
    validUntil: o.validUntil.toISOString(),
    collectionMethod: 'platform-consent-screen',
    assurance: { level: o.assurance.level, methods: [...o.assurance.methods] },
    status: 'given',
  };
}

/** A signer of receipts with the platform's ES256 key; the JWK must carry a kid. */
export function createReceiptSigner(signingJwk: JWK): (receipt: ConsentReceipt) => Promise<string> {
  const kid = signingJwk.kid;
  if (!kid) throw new Error('the platform signing key needs a kid');
  const key = importJWK(signingJwk, PLATFORM_SIGNING_ALGORITHM);
  return async (receipt) =>
    new CompactSign(new TextEncoder().encode(canonicalReceipt(receipt)))
      .setProtectedHeader({ alg: PLATFORM_SIGNING_ALGORITHM, typ: RECEIPT_JWS_TYPE, kid })
      .sign(await key);
}
