import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Loading } from '../components/Badges.tsx';
import { useTitle } from '../hooks.ts';
import { useSession } from '../session.ts';

export type SignedInFeature = 'download' | 'consents' | 'usageLog' | 'counter';

/**
 * The place of a feature that needs a signed-in citizen and is not built yet (consent and counter
 * issues). It says so plainly rather than offering controls that do nothing: signed out, where to
 * sign in; signed in, that the feature is still coming.
 */
export function SignInRequired({ feature }: { feature: SignedInFeature }) {
  const { t } = useTranslation();
  const name = t(`signIn.features.${feature}`);
  const session = useSession();
  useTitle(name);
  if (session.isPending) return <Loading />;
  const signedIn = Boolean(session.data);
  return (
    <section className="notice" aria-labelledby="feature-title" data-feature={feature}>
      <h1 id="feature-title">{name}</h1>
      <h2>{signedIn ? t('signIn.signedInNotice') : t('signIn.notice')}</h2>
      <p>{signedIn ? t('signIn.signedInBody') : t('signIn.body')}</p>
      {!signedIn && <p>{t('signIn.browse')}</p>}
      <ul className="actions">
        <li>
          {signedIn ? (
            <Link to="/account">{t('signIn.account')}</Link>
          ) : (
            <Link to="/sign-in">{t('signIn.goSignIn')}</Link>
          )}
        </li>
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
