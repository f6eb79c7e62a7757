import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useTitle } from '../hooks.ts';

export function NotFound() {
  const { t } = useTranslation();
  useTitle(t('titles.notFound'));
  return (
    <section className="error-panel" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <ul className="actions">
        <li>
          <Link to="/">{t('notFound.home')}</Link>
        </li>
        <li>
          <Link to="/datasets">{t('notFound.catalogue')}</Link>
        </li>
      </ul>
    </section>
  );
}
