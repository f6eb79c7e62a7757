import type { AssuranceLevel, Sensitivity, ServiceMode } from '@mydata/core';
import { useTranslation } from 'react-i18next';

/** The identity check a dataset needs, named and explained, never a bare level code. */
export function AssuranceNote({ level }: { level: AssuranceLevel }) {
  const { t } = useTranslation();
  return (
    <span className={`badge assurance-${level}`}>
      <strong>{t(`assurance.${level}.name`)}</strong>
      <span className="badge-explain">{t(`assurance.${level}.explain`)}</span>
    </span>
  );
}

export function SensitivityNote({ sensitivity }: { sensitivity: Sensitivity }) {
  const { t } = useTranslation();
  return (
    <span className={`badge sensitivity-${sensitivity}`}>
      <strong>{t(`sensitivity.${sensitivity}.name`)}</strong>
      <span className="badge-explain">{t(`sensitivity.${sensitivity}.explain`)}</span>
    </span>
  );
}

export function ModeNote({ mode }: { mode: ServiceMode }) {
  const { t } = useTranslation();
  return (
    <span className={`badge mode-${mode}`}>
      <strong>{t(`modes.${mode}.name`)}</strong>
      <span className="badge-explain">{t(`modes.${mode}.explain`)}</span>
    </span>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      {t('loading')}
    </p>
  );
}
