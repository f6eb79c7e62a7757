import type { AssuranceLevel } from '../assurance.ts';
import type { Sector, Sensitivity, ServiceMode } from '../catalogue/schemas.ts';
import type { LocalizedText } from '../i18n.ts';

/** One dataset as a citizen reads it before agreeing: who holds it, which fields, and why it is asked. */
export interface ScreenDataset {
  id: string;
  name: LocalizedText;
  description: LocalizedText;
  agency: { id: string; name: LocalizedText };
  fields: { name: string; label: LocalizedText }[];
  required: boolean;
  justification: LocalizedText;
  minAssurance: AssuranceLevel;
  sensitivity: Sensitivity;
}

/** What a citizen reads before agreeing (consent screen, counter review): service, provider, purpose, datasets. */
export interface ServiceScreen {
  service: {
    id: string;
    name: LocalizedText;
    description: LocalizedText;
    retentionDays: number;
    mode: ServiceMode;
    provider: { id: string; name: LocalizedText; sector: Sector };
  };
  purpose: { dpv: string; description: LocalizedText };
  datasets: ScreenDataset[];
  /** The data is handed over once; nothing is kept on the platform after it. */
  oneTime: true;
}
