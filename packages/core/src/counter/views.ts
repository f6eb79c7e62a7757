import type { LocalizedText } from '../i18n.ts';

/** A code to show at the counter: the QR token and the same code to type, valid until `expiresAt`. */
export interface CounterCode {
  token: string;
  shortCode: string;
  expiresAt: string;
  seconds: number;
}

/** What the clerk sees after a redemption, once. */
export interface CounterRedemption {
  caseId: string;
  service: { id: string; name: LocalizedText };
  provider: { id: string; name: LocalizedText };
  purpose: { dpv: string; description: LocalizedText };
  redeemedAt: string;
  viewExpiresAt: string;
  receiptSha256: string;
  datasets: {
    id: string;
    name: LocalizedText;
    agency: { id: string; name: LocalizedText };
    receivedAt: string;
    /** The agency's signature over its answer was verified when the platform collected it. */
    signatureVerified: true;
    fields: { name: string; label: LocalizedText; value: string }[];
  }[];
}

/** The clerk's desk: the organisations they serve and those organisations' counter services. */
export interface ClerkDesk {
  organisations: { id: string; name: LocalizedText }[];
  services: { id: string; name: LocalizedText; providerId: string }[];
}
