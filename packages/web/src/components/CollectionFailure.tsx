import type { LocalizedText } from '@mydata/core';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../api.ts';
import { useLanguage } from '../hooks.ts';
import { ProblemText } from '../pages/SignIn.tsx';

/**
 * Why collecting a citizen's data failed: each agency the problem names (`agencyIds`), the
 * translated problem and the platform's detail. Download and counter show it before Retry.
 */
export function CollectionFailure({
  error,
  agencyName,
}: {
  error: unknown;
  /** The agency's name as the page knows it; the id is shown when it does not. */
  agencyName: (id: string) => LocalizedText | undefined;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const problem = error instanceof ApiProblem ? error.body : undefined;
  const failing = Array.isArray(problem?.agencyIds) ? (problem.agencyIds as string[]) : [];
  return (
    <div className="error-summary" role="alert">
      {failing.map((id) => {
        const name = agencyName(id);
        return (
          <p className="problem-title" key={id} data-agency={id}>
            {t('collection.failedAgency', { agency: name ? pick(name) : id })}
          </p>
        );
      })}
      <ProblemText error={error} />
      {typeof problem?.detail === 'string' && (
        <p className="problem-detail" data-problem-detail>
          {problem.detail}
        </p>
      )}
    </div>
  );
}
