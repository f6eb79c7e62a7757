import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useTitle } from '../hooks.ts';

const MODES = ['download', 'online', 'counter'] as const;

export function Home() {
  const { t } = useTranslation();
  useTitle(t('titles.home'));
  return (
    <>
      <section className="hero" aria-labelledby="home-title">
        <p className="tagline">{t('app.tagline')}</p>
        <h1 id="home-title">{t('home.title')}</h1>
        <p className="lead">{t('home.lead')}</p>
        <p className="actions">
          <Link className="button" to="/datasets">
            {t('home.browseDatasets')}
          </Link>
          <Link className="button secondary" to="/services">
            {t('home.browseServices')}
          </Link>
        </p>
      </section>
      <section aria-labelledby="modes-title">
        <h2 id="modes-title">{t('home.modesTitle')}</h2>
        <ul className="cards three">
          {MODES.map((mode) => (
            <li key={mode} className="card">
              <h3>{t(`home.modes.${mode}.name`)}</h3>
              <p>{t(`home.modes.${mode}.body`)}</p>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="safe-title">
        <h2 id="safe-title">{t('home.safeTitle')}</h2>
        <p>{t('home.safeBody')}</p>
      </section>
    </>
  );
}
