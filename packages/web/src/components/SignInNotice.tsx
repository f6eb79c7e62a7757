import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/**
 * A page's answer to a visitor who is not signed in: the page's title, what signing in gives here,
 * the way to sign in (coming back to this page), and any other ways on.
 */
export function SignInNotice({
  id,
  title,
  feature,
  body,
  signInHref,
  links,
  children,
}: {
  /** The heading's id, which the section is labelled by. */
  id: string;
  title: string;
  feature: string;
  body: string;
  /** The sign-in link, with the return address. */
  signInHref: string;
  /** Links beside the sign-in link. */
  links?: ReactNode;
  /** Anything after the links. */
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <section className="notice" aria-labelledby={id} data-feature={feature}>
      <h1 id={id}>{title}</h1>
      <h2>{t('signIn.notice')}</h2>
      <p>{body}</p>
      <p className="actions">
        <Link to={signInHref}>{t('signIn.goSignIn')}</Link>
        {links}
      </p>
      {children}
    </section>
  );
}
