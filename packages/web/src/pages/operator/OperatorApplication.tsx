import type { ApplicationDetail } from '@mydata/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { operatorApi, type SessionView } from '../../api.ts';
import { Loading } from '../../components/Badges.tsx';
import { Fact } from '../../components/Fact.tsx';
import { ErrorSummary, Field } from '../../components/Field.tsx';
import { useLanguage, useTitle } from '../../hooks.ts';
import { ApplicationView, DecisionHistory, SandboxBox } from '../onboarding/ApplicationView.tsx';
import { ProblemMessage, StaffPage, StatusBadge, useFormatTime } from '../onboarding/common.tsx';
import { OperatorOnly } from './Operator.tsx';

const DECISIONS = ['approve', 'request-changes', 'reject'] as const;
type Decision = (typeof DECISIONS)[number];

/** One application under review: its content with the flags beside the fields, the decision, history. */
export function OperatorApplicationPage() {
  const { t } = useTranslation();
  const id = useParams().id ?? '';
  return (
    <StaffPage
      title={t('operator.reviewTitle')}
      returnTo={`/operator/applications/${encodeURIComponent(id)}`}
    >
      {(session) => <Review id={id} session={session} />}
    </StaffPage>
  );
}

function Review({ id, session }: { id: string; session: SessionView }) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const format = useFormatTime();
  // Kept here: the decision changes the status, and the page must still say what was decided.
  const [done, setDone] = useState<Decision | undefined>();
  const app = useQuery({
    queryKey: ['operator', 'application', id],
    queryFn: () => operatorApi.application(id),
    staleTime: 0,
  });
  const subject = app.data
    ? app.data.body.kind === 'service'
      ? pick(app.data.body.service.name)
      : app.data.body.datasets.map((d) => pick(d.name)).join(', ')
    : '';
  useTitle(app.data ? t('operator.reviewOf', { subject }) : t('operator.reviewTitle'));
  if (app.isPending) return <Loading />;
  if (app.isError) return <OperatorOnly error={app.error} retry={() => void app.refetch()} />;
  const a = app.data;
  return (
    <article
      className="operator review"
      aria-labelledby="review-title"
      data-application={a.id}
      data-status={a.status}
    >
      <p className="back">
        <Link to="/operator">{t('operator.backToQueue')}</Link>
      </p>
      <h1 id="review-title" tabIndex={-1}>
        {t('operator.reviewOf', { subject })}
      </h1>
      <dl className="facts wide">
        <Fact label={t('operator.organisation')}>
          {pick(a.organisationName)} <code className="meta">{a.organisationId}</code>
        </Fact>
        <Fact label={t('onboarding.form.kind')}>{t(`onboarding.kinds.${a.body.kind}`)}</Fact>
        <Fact label={t('onboarding.status')}>
          <StatusBadge status={a.status} />
        </Fact>
        <Fact label={t('operator.updated')}>{format(a.updatedAt)}</Fact>
      </dl>
      <section aria-labelledby="review-content-title">
        <h2 id="review-content-title">{t('operator.contentTitle')}</h2>
        <ApplicationView body={a.body} flags={a.flags} />
        {a.sandbox && <SandboxBox sandbox={a.sandbox} />}
      </section>
      <section aria-labelledby="decide-title">
        <h2 id="decide-title">{t('operator.decideTitle')}</h2>
        {done ? (
          <Done decision={done} />
        ) : a.status === 'submitted' ? (
          <DecisionForm application={a} csrf={session.csrfToken} onDone={setDone} />
        ) : (
          <p data-decided={a.status}>
            {t('operator.notAwaiting', { status: t(`onboarding.statuses.${a.status}`) })}
          </p>
        )}
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t('onboarding.decisionsTitle')}</h2>
        <DecisionHistory decisions={a.decisions} />
      </section>
    </article>
  );
}

/** What was decided, focused so a screen reader hears it at once. */
function Done({ decision }: { decision: Decision }) {
  const { t } = useTranslation();
  const box = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    box.current?.focus();
  }, []);
  return (
    <p className="step-done" role="status" tabIndex={-1} ref={box} data-done={decision}>
      {t(`operator.done.${decision}`)}
    </p>
  );
}

function DecisionForm({
  application: a,
  csrf,
  onDone,
}: {
  application: ApplicationDetail;
  csrf: string | undefined;
  onDone: (decision: Decision) => void;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [decision, setDecision] = useState<Decision | undefined>();
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<{ id: string; message: string }[]>([]);
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState(0);
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failures) summary.current?.focus();
  }, [failures]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: { id: string; message: string }[] = [];
    if (!decision) found.push({ id: 'decision-approve', message: t('operator.chooseDecision') });
    if (decision && decision !== 'approve' && !reason.trim())
      found.push({ id: 'decision-reason', message: t('operator.reasonNeeded') });
    setInvalid(found);
    setProblem(undefined);
    if (found.length || !decision) {
      setFailures((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      await operatorApi.decide(a.id, { decision, reason: reason.trim() }, csrf);
      onDone(decision);
      await client.invalidateQueries({ queryKey: ['operator'] });
    } catch (error) {
      setProblem(error);
      setFailures((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  const reasonError = invalid.find((e) => e.id === 'decision-reason')?.message;
  const choiceError = invalid.find((e) => e.id === 'decision-approve')?.message;
  return (
    <form noValidate onSubmit={(e) => void submit(e)} data-form="decision" aria-labelledby="decide-title">
      {(invalid.length > 0 || problem !== undefined) && (
        <ErrorSummary title={t('signIn.errorSummary')} errors={invalid} summaryRef={summary}>
          {problem !== undefined && <ProblemMessage error={problem} />}
        </ErrorSummary>
      )}
      {a.flags.length > 0 && <p className="hint">{t('operator.flagsReminder', { count: a.flags.length })}</p>}
      <fieldset className="choice-group" aria-describedby={choiceError ? 'decision-choice-error' : undefined}>
        <legend>{t('operator.decision')}</legend>
        {choiceError && (
          <span className="field-error" id="decision-choice-error">
            {choiceError}
          </span>
        )}
        {DECISIONS.map((d) => (
          <div className="radio" key={d}>
            <input
              type="radio"
              id={`decision-${d}`}
              name="decision"
              value={d}
              checked={decision === d}
              aria-describedby={`decision-${d}-hint`}
              onChange={() => setDecision(d)}
            />
            <label htmlFor={`decision-${d}`}>{t(`operator.decisions.${d}`)}</label>
            <span className="hint" id={`decision-${d}-hint`}>
              {t(`operator.decisionHints.${d}`)}
            </span>
          </div>
        ))}
      </fieldset>
      <Field
        id="decision-reason"
        label={t('operator.reason')}
        hint={t('operator.decisionReasonHint')}
        error={reasonError}
      >
        {(c) => <textarea {...c} rows={4} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <p>
        <button type="submit" disabled={busy} data-action="decide">
          {busy ? t('onboarding.form.sending') : t('operator.sendDecision')}
        </button>
      </p>
    </form>
  );
}
