import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useTitle } from '../hooks.ts';

export type SignedInFeature = 'signIn' | 'download' | 'consents' | 'usageLog' | 'counter';

/**
 * The place of a feature that needs a signed-in citizen (identity issue and after). It says so
 * plainly rather than offering controls that do nothing.
 */
export function SignInRequired({ feature }: { feature: SignedInFeature }) {
  const { t } = useTranslation();
  const name = t(`signIn.features.${feature}`);
  useTitle(name);
  return (
    <section className="notice" aria-labelledby="feature-title" data-feature={feature}>
      <h1 id="feature-title">{name}</h1>
      <h2>{t('signIn.notice')}</h2>
      <p>{t('signIn.body')}</p>
      <p>{t('signIn.browse')}</p>
      <ul className="actions">
        <li>
          <Link to="/datasets">{t('nav.datasets')}</Link>
        </li>
        <li>
          <Link to="/services">{t('nav.services')}</Link>
        </li>
      </ul>
    </section>
  );
}
