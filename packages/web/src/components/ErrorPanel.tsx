import { useTranslation } from 'react-i18next';
import { Link, useRouteError } from 'react-router';
import { ApiProblem, isTransient, PlatformUnreachable } from '../api.ts';
import { useLanguage, useTitle } from '../hooks.ts';
import { ERROR_TEXTS } from '../i18n/errors.ts';

/** What a person is told about a failure: the problem's translated code, or that nothing answered. */
export function describeError(
  error: unknown,
  t: (key: string) => string,
  lang: 'zh-TW' | 'en',
): { title: string; action: string; code?: string; requestId?: string } {
  if (error instanceof PlatformUnreachable) {
    return { title: t('error.unreachableTitle'), action: t('error.unreachableAction') };
  }
  if (error instanceof ApiProblem && error.code && error.code in ERROR_TEXTS[lang]) {
    return { ...ERROR_TEXTS[lang][error.code], code: error.code, requestId: error.requestId };
  }
  return { title: t('error.unknownTitle'), action: t('error.unknownAction') };
}

/**
 * A failure shown in place of the content it stopped: what happened, what to do, and a way on.
 * As the page's heading when the whole page failed, or inside a page that still has its own.
 */
export function ErrorPanel({
  error,
  retry,
  asPage = false,
}: {
  error: unknown;
  retry?: () => void;
  asPage?: boolean;
}) {
  const { t } = useTranslation();
  const { lang } = useLanguage();
  const { title, action, code, requestId } = describeError(error, t, lang);
  useTitle(asPage ? title : undefined);
  const Heading = asPage ? 'h1' : 'h2';
  return (
    <section className="error-panel" role="alert" aria-labelledby="error-title">
      <Heading id="error-title">{title}</Heading>
      <p>{action}</p>
      {code && <p className="meta">{t('error.code', { code })}</p>}
      {requestId && <p className="meta">{t('error.requestId', { id: requestId })}</p>}
      <p className="actions">
        {/* Offered only where asking again can help: a missing dataset stays missing. */}
        {retry && isTransient(error) && (
          <button type="button" onClick={retry}>
            {t('error.retry')}
          </button>
        )}
        <Link to="/">{t('error.home')}</Link>
      </p>
    </section>
  );
}

/** The last resort when rendering itself failed: still says what to do, in the chosen language. */
export function RouteError() {
  const error = useRouteError();
  return (
    <main id="main" tabIndex={-1}>
      <ErrorPanel error={error} asPage />
    </main>
  );
}
