import type { Language } from '@mydata/core';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { setLanguage } from '../i18n/index.ts';
import { useSession } from '../session.ts';

export function Layout() {
  const { t } = useTranslation();
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const shown = useRef(pathname);
  const session = useSession();
  const signedIn = Boolean(session.data);

  // After a client-side navigation, focus goes to the new content, as a page load would put it at
  // the top; otherwise keyboard and screen-reader users stay on the link they left.
  useEffect(() => {
    if (shown.current === pathname) return;
    shown.current = pathname;
    main.current?.focus();
    window.scrollTo(0, 0);
  }, [pathname]);

  const other = t('language.switchToLang') as Language;
  return (
    <>
      <a className="skip-link" href="#main">
        {t('skip')}
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark">MyData</span>
            <span className="brand-name">{t('app.longName')}</span>
          </Link>
          <button
            type="button"
            className="language-switch"
            lang={other}
            onClick={() => void setLanguage(other)}
          >
            {t('language.switchTo')}
          </button>
        </div>
        <nav aria-label={t('nav.label')} className="site-nav">
          <ul>
            <li>
              <NavLink to="/" end>
                {t('nav.home')}
              </NavLink>
            </li>
            <li>
              <NavLink to="/datasets">{t('nav.datasets')}</NavLink>
            </li>
            <li>
              <NavLink to="/services">{t('nav.services')}</NavLink>
            </li>
            <li>
              <NavLink to="/statistics">{t('nav.statistics')}</NavLink>
            </li>
            <li>
              {signedIn ? (
                <NavLink to="/account">
                  {t('nav.account')} <span className="signed-in-badge">{t('nav.signedIn')}</span>
                </NavLink>
              ) : (
                <NavLink to="/sign-in">{t('nav.signIn')}</NavLink>
              )}
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <nav aria-label={t('footer.mine')}>
          <ul>
            <li>
              <Link to="/download">{t('signIn.features.download')}</Link>
            </li>
            <li>
              <Link to="/consents">{t('signIn.features.consents')}</Link>
            </li>
            <li>
              <Link to="/usage-log">{t('signIn.features.usageLog')}</Link>
            </li>
            <li>
              <Link to="/counter">{t('signIn.features.counter')}</Link>
            </li>
            <li>
              <Link to="/clerk">{t('clerk.title')}</Link>
            </li>
            <li>
              {/* A page of the platform, not of the portal: the browser loads it. */}
              <a href={`/developers?lang=${other === 'en' ? 'zh-TW' : 'en'}`}>{t('developers.link')}</a>
            </li>
            <li>
              <Link to="/organisations">{t('onboarding.footerLink')}</Link>
            </li>
            <li>
              <a href="/openapi.json">{t('footer.api')}</a>
            </li>
          </ul>
        </nav>
        <p>{t('footer.about')}</p>
      </footer>
    </>
  );
}
