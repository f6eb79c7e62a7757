import type {
  ApplicationBody,
  ApplicationCreated,
  AssuranceLevel,
  Dataset,
  DatasetView,
  JwksShape,
  SecurityContact,
} from '@mydata/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, onboardingApi } from '../../api.ts';
import { ASSURANCE_LEVELS } from '../../assurance.ts';
import { Loading } from '../../components/Badges.tsx';
import { ErrorPanel } from '../../components/ErrorPanel.tsx';
import { ErrorSummary, Field } from '../../components/Field.tsx';
import { useLanguage } from '../../hooks.ts';
import { DPV_SUGGESTIONS, FIELD_TYPE_IDS, ProblemMessage, TOPIC_IDS, text } from './common.tsx';

type Kind = 'service' | 'data-provider';
type FieldType = (typeof FIELD_TYPE_IDS)[number];
type Topic = (typeof TOPIC_IDS)[number];

interface Pair {
  zh: string;
  en: string;
}
const EMPTY: Pair = { zh: '', en: '' };

interface RequestedDraft {
  datasetId: string;
  required: boolean;
  justification: Pair;
  /** Per field name; a field left blank is sent without a justification (and flagged for review). */
  fields: Record<string, Pair>;
}

interface ProvidedFieldDraft {
  name: string;
  label: Pair;
  type: FieldType;
}

interface ProvidedDraft {
  id: string;
  name: Pair;
  description: Pair;
  topic: Topic;
  minAssurance: AssuranceLevel;
  sensitivity: 'normal' | 'sensitive';
  fields: ProvidedFieldDraft[];
}

interface Draft {
  kind: Kind;
  serviceId: string;
  name: Pair;
  description: Pair;
  mode: 'online' | 'counter';
  dpv: string;
  purpose: Pair;
  retentionDays: string;
  requested: RequestedDraft[];
  provided: ProvidedDraft[];
  baseUrl: string;
  pins: string;
  redirectUris: string;
  keySource: 'url' | 'paste';
  jwksUrl: string;
  jwksText: string;
  webhookUrl: string;
  contact: { name: string; email: string; phone: string };
}

const blankProvided = (orgId: string, n: number): ProvidedDraft => ({
  id: `${orgId}.dataset-${n}`,
  name: EMPTY,
  description: EMPTY,
  topic: 'identity',
  minAssurance: 'substantial',
  sensitivity: 'normal',
  fields: [{ name: '', label: EMPTY, type: 'string' }],
});

function blankDraft(orgId: string, contact?: SecurityContact): Draft {
  return {
    kind: 'service',
    serviceId: `${orgId}.`,
    name: EMPTY,
    description: EMPTY,
    mode: 'online',
    dpv: DPV_SUGGESTIONS[0] ?? '',
    purpose: EMPTY,
    retentionDays: '30',
    requested: [],
    provided: [blankProvided(orgId, 1)],
    baseUrl: 'https://',
    pins: '',
    redirectUris: '',
    keySource: 'url',
    jwksUrl: '',
    jwksText: '',
    webhookUrl: '',
    contact: { name: contact?.name ?? '', email: contact?.email ?? '', phone: contact?.phone ?? '' },
  };
}

const pairOf = (t: { 'zh-TW': string; en: string }): Pair => ({ zh: t['zh-TW'], en: t.en });

/** The form filled in again from an application sent before, to change and resubmit it. */
function draftOf(orgId: string, body: ApplicationBody): Draft {
  const base = blankDraft(orgId, body.securityContact);
  const keys = {
    keySource: body.jwks && !body.jwksUrl ? ('paste' as const) : ('url' as const),
    jwksUrl: body.jwksUrl ?? '',
    jwksText: body.jwks ? JSON.stringify(body.jwks, null, 2) : '',
  };
  if (body.kind === 'data-provider') {
    return {
      ...base,
      ...keys,
      kind: 'data-provider',
      provided: body.datasets.map((d) => ({
        id: d.id,
        name: pairOf(d.name),
        description: pairOf(d.description),
        topic: d.topic,
        minAssurance: d.minAssurance,
        sensitivity: d.sensitivity,
        fields: d.fields.map((f) => ({ name: f.name, label: pairOf(f.label), type: f.type })),
      })),
      baseUrl: body.endpoint.baseUrl,
      pins: body.endpoint.tlsSpkiSha256.join('\n'),
    };
  }
  const s = body.service;
  return {
    ...base,
    ...keys,
    serviceId: s.id,
    name: pairOf(s.name),
    description: pairOf(s.description),
    mode: s.mode,
    dpv: s.purpose.dpv,
    purpose: pairOf(s.purpose.description),
    retentionDays: String(s.retentionDays),
    requested: s.datasets.map((d) => ({
      datasetId: d.datasetId,
      required: d.required,
      justification: pairOf(d.justification),
      fields: Object.fromEntries(d.fields.map((f) => [f.name, pairOf(f.justification)])),
    })),
    redirectUris: (body.redirectUris ?? []).join('\n'),
    webhookUrl: body.webhookUrl ?? '',
  };
}

const lines = (value: string) =>
  value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** A JSON Schema of one record built from the declared fields: what the agency promises to return. */
function payloadSchemaOf(fields: ProvidedFieldDraft[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(
      fields.map((f) => [f.name, f.type === 'date' ? { type: 'string', format: 'date' } : { type: f.type }]),
    ),
    required: fields.map((f) => f.name),
  };
}

function bodyOf(orgId: string, d: Draft, jwks: JwksShape | undefined): ApplicationBody {
  const contact: SecurityContact = {
    name: d.contact.name.trim(),
    email: d.contact.email.trim(),
    ...(d.contact.phone.trim() ? { phone: d.contact.phone.trim() } : {}),
  };
  const keys =
    d.keySource === 'url' ? (d.jwksUrl.trim() ? { jwksUrl: d.jwksUrl.trim() } : {}) : jwks ? { jwks } : {};
  if (d.kind === 'data-provider') {
    return {
      kind: 'data-provider',
      datasets: d.provided.map(
        (p): Dataset => ({
          id: p.id.trim(),
          // The organisation applying is the agency that holds the data.
          agencyId: orgId,
          name: text(p.name.zh, p.name.en),
          description: text(p.description.zh, p.description.en),
          topic: p.topic,
          fields: p.fields.map((f) => ({
            name: f.name.trim(),
            label: text(f.label.zh, f.label.en),
            type: f.type,
          })),
          payloadSchema: payloadSchemaOf(p.fields),
          minAssurance: p.minAssurance,
          sensitivity: p.sensitivity,
        }),
      ),
      endpoint: { baseUrl: d.baseUrl.trim(), tlsSpkiSha256: lines(d.pins) },
      ...keys,
      securityContact: contact,
    };
  }
  const online = d.mode === 'online';
  return {
    kind: 'service',
    service: {
      id: d.serviceId.trim(),
      name: text(d.name.zh, d.name.en),
      description: text(d.description.zh, d.description.en),
      mode: d.mode,
      purpose: { dpv: d.dpv.trim(), description: text(d.purpose.zh, d.purpose.en) },
      retentionDays: Number(d.retentionDays),
      datasets: d.requested.map((r) => ({
        datasetId: r.datasetId,
        required: r.required,
        justification: text(r.justification.zh, r.justification.en),
        fields: Object.entries(r.fields)
          .filter(([, p]) => p.zh.trim() || p.en.trim())
          .map(([name, p]) => ({ name, justification: text(p.zh, p.en) })),
      })),
    },
    ...(online ? { redirectUris: lines(d.redirectUris), ...keys } : {}),
    ...(online && d.webhookUrl.trim() ? { webhookUrl: d.webhookUrl.trim() } : {}),
    securityContact: contact,
  };
}

/**
 * A new application (a service, or datasets the organisation provides), or a resubmission of one the
 * operator sent back. Every dataset and every field asked for carries its reason in both languages.
 */
export function ApplicationForm({
  orgId,
  csrf,
  initial,
  resubmit,
  contact,
  onDone,
  onCancel,
}: {
  orgId: string;
  csrf: string | undefined;
  initial?: ApplicationBody;
  /** The application sent back for changes: the form resubmits it (PUT) instead of applying anew. */
  resubmit?: string;
  contact?: SecurityContact;
  onDone: (created: ApplicationCreated) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const catalogue = useQuery({ queryKey: ['datasets', {}], queryFn: () => api.datasets({}) });
  const [draft, setDraft] = useState<Draft>(() =>
    initial ? draftOf(orgId, initial) : blankDraft(orgId, contact),
  );
  const [invalid, setInvalid] = useState<{ id: string; message: string }[]>([]);
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState(0);
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failures) summary.current?.focus();
  }, [failures]);

  if (catalogue.isPending) return <Loading />;
  if (catalogue.isError) return <ErrorPanel error={catalogue.error} retry={() => void catalogue.refetch()} />;
  const datasets = catalogue.data.items;

  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const errorOf = (id: string) => invalid.find((e) => e.id === id)?.message;

  function validate(d: Draft): { id: string; message: string }[] {
    const found: { id: string; message: string }[] = [];
    const need = (id: string, value: string, label: string) => {
      if (!value.trim()) found.push({ id, message: t('onboarding.form.missing', { field: label }) });
    };
    const needPair = (id: string, value: Pair, label: string) => {
      need(`${id}-zh`, value.zh, t('onboarding.form.inZh', { label }));
      need(`${id}-en`, value.en, t('onboarding.form.inEn', { label }));
    };
    if (d.kind === 'service') {
      need('app-service-id', d.serviceId.replace(/\.$/, ''), t('onboarding.app.serviceId'));
      needPair('app-name', d.name, t('onboarding.app.serviceName'));
      needPair('app-description', d.description, t('onboarding.app.description'));
      need('app-dpv', d.dpv, t('onboarding.form.dpv'));
      needPair('app-purpose', d.purpose, t('onboarding.form.purposeDescription'));
      if (!/^\d+$/.test(d.retentionDays) || Number(d.retentionDays) < 1 || Number(d.retentionDays) > 3650)
        found.push({ id: 'app-retention', message: t('onboarding.form.retentionInvalid') });
      if (!d.requested.length)
        found.push({ id: 'app-add-dataset', message: t('onboarding.form.noDatasets') });
      d.requested.forEach((r, i) => {
        needPair(`app-ds-${i}-just`, r.justification, t('onboarding.form.datasetReason', { n: i + 1 }));
      });
      if (d.mode === 'online' && !lines(d.redirectUris).length)
        found.push({
          id: 'app-redirects',
          message: t('onboarding.form.missing', { field: t('onboarding.app.redirectUris') }),
        });
    } else {
      d.provided.forEach((p, i) => {
        need(`app-pd-${i}-id`, p.id, t('onboarding.form.providedId', { n: i + 1 }));
        needPair(`app-pd-${i}-name`, p.name, t('onboarding.form.providedName', { n: i + 1 }));
        needPair(`app-pd-${i}-desc`, p.description, t('onboarding.form.providedDescription', { n: i + 1 }));
        p.fields.forEach((f, j) => {
          need(`app-pd-${i}-f-${j}-name`, f.name, t('onboarding.form.fieldName', { n: j + 1 }));
          needPair(`app-pd-${i}-f-${j}-label`, f.label, t('onboarding.form.fieldLabel', { n: j + 1 }));
        });
      });
      need('app-base-url', d.baseUrl.replace(/^https:\/\/$/, ''), t('onboarding.form.baseUrl'));
      if (!lines(d.pins).length)
        found.push({
          id: 'app-pins',
          message: t('onboarding.form.missing', { field: t('onboarding.form.pins') }),
        });
    }
    const needsKeys = d.kind === 'data-provider' || d.mode === 'online';
    if (needsKeys && d.keySource === 'url') need('app-jwks-url', d.jwksUrl, t('onboarding.form.jwksUrl'));
    if (needsKeys && d.keySource === 'paste') {
      try {
        JSON.parse(d.jwksText);
      } catch {
        found.push({ id: 'app-jwks', message: t('onboarding.form.jwksNotJson') });
      }
    }
    need('app-contact-name', d.contact.name, t('onboarding.signUp.contactName'));
    need('app-contact-email', d.contact.email, t('onboarding.signUp.contactEmail'));
    return found;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validate(draft);
    setInvalid(found);
    setProblem(undefined);
    if (found.length) {
      setFailures((n) => n + 1);
      return;
    }
    const needsKeys = draft.kind === 'data-provider' || draft.mode === 'online';
    const jwks =
      needsKeys && draft.keySource === 'paste' ? (JSON.parse(draft.jwksText) as JwksShape) : undefined;
    setBusy(true);
    try {
      const body = bodyOf(orgId, draft, jwks);
      onDone(
        resubmit
          ? await onboardingApi.resubmit(orgId, resubmit, body, csrf)
          : await onboardingApi.apply(orgId, body, csrf),
      );
    } catch (error) {
      setProblem(error);
      setFailures((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  const showSummary = invalid.length > 0 || problem !== undefined;
  const online = draft.kind === 'data-provider' || draft.mode === 'online';
  return (
    <form className="application-form" noValidate onSubmit={(e) => void submit(e)} data-form="application">
      {showSummary && (
        <ErrorSummary title={t('signIn.errorSummary')} errors={invalid} summaryRef={summary}>
          {problem !== undefined && <ProblemMessage error={problem} />}
        </ErrorSummary>
      )}
      {!resubmit && (
        <fieldset className="choice-group">
          <legend>{t('onboarding.form.kind')}</legend>
          {(['service', 'data-provider'] as const).map((k) => (
            <div className="radio" key={k}>
              <input
                type="radio"
                id={`app-kind-${k}`}
                name="kind"
                value={k}
                checked={draft.kind === k}
                onChange={() => set({ kind: k })}
              />
              <label htmlFor={`app-kind-${k}`}>{t(`onboarding.kinds.${k}`)}</label>
            </div>
          ))}
        </fieldset>
      )}

      {draft.kind === 'service' ? (
        <ServiceFields draft={draft} set={set} setDraft={setDraft} errorOf={errorOf} datasets={datasets} />
      ) : (
        <ProvidedFields draft={draft} setDraft={setDraft} errorOf={errorOf} orgId={orgId} />
      )}

      <fieldset className="form-section">
        <legend>
          <h4 className="legend-heading">{t('onboarding.app.connectionTitle')}</h4>
        </legend>
        {draft.kind === 'service' && draft.mode === 'counter' && (
          <p className="hint">{t('onboarding.form.counterNoKeys')}</p>
        )}
        {draft.kind === 'service' && draft.mode === 'online' && (
          <>
            <Field
              id="app-redirects"
              label={t('onboarding.app.redirectUris')}
              hint={t('onboarding.form.redirectsHint')}
              error={errorOf('app-redirects')}
            >
              {(c) => (
                <textarea
                  {...c}
                  rows={2}
                  spellCheck={false}
                  value={draft.redirectUris}
                  onChange={(e) => set({ redirectUris: e.target.value })}
                />
              )}
            </Field>
            <Field
              id="app-webhook"
              label={t('onboarding.app.webhookUrl')}
              hint={t('onboarding.form.webhookHint')}
              optional={t('onboarding.form.optional')}
            >
              {(c) => (
                <input
                  {...c}
                  type="url"
                  spellCheck={false}
                  value={draft.webhookUrl}
                  onChange={(e) => set({ webhookUrl: e.target.value })}
                />
              )}
            </Field>
          </>
        )}
        {draft.kind === 'data-provider' && (
          <>
            <Field
              id="app-base-url"
              label={t('onboarding.form.baseUrl')}
              hint={t('onboarding.form.baseUrlHint')}
              error={errorOf('app-base-url')}
            >
              {(c) => (
                <input
                  {...c}
                  type="url"
                  spellCheck={false}
                  value={draft.baseUrl}
                  onChange={(e) => set({ baseUrl: e.target.value })}
                />
              )}
            </Field>
            <Field
              id="app-pins"
              label={t('onboarding.form.pins')}
              hint={t('onboarding.form.pinsHint')}
              error={errorOf('app-pins')}
            >
              {(c) => (
                <textarea
                  {...c}
                  rows={2}
                  spellCheck={false}
                  value={draft.pins}
                  onChange={(e) => set({ pins: e.target.value })}
                />
              )}
            </Field>
          </>
        )}
        {online && (
          <>
            <fieldset className="choice-group">
              <legend>{t('onboarding.form.keySource')}</legend>
              {(['url', 'paste'] as const).map((k) => (
                <div className="radio" key={k}>
                  <input
                    type="radio"
                    id={`app-keys-${k}`}
                    name="keySource"
                    checked={draft.keySource === k}
                    onChange={() => set({ keySource: k })}
                  />
                  <label htmlFor={`app-keys-${k}`}>{t(`onboarding.form.keySources.${k}`)}</label>
                </div>
              ))}
            </fieldset>
            {draft.keySource === 'url' ? (
              <Field
                id="app-jwks-url"
                label={t('onboarding.form.jwksUrl')}
                hint={t('onboarding.form.jwksUrlHint')}
                error={errorOf('app-jwks-url')}
              >
                {(c) => (
                  <input
                    {...c}
                    type="url"
                    spellCheck={false}
                    value={draft.jwksUrl}
                    onChange={(e) => set({ jwksUrl: e.target.value })}
                  />
                )}
              </Field>
            ) : (
              <Field
                id="app-jwks"
                label={t('onboarding.form.jwks')}
                hint={t('onboarding.form.jwksHint')}
                error={errorOf('app-jwks')}
              >
                {(c) => (
                  <textarea
                    {...c}
                    rows={6}
                    spellCheck={false}
                    className="code"
                    value={draft.jwksText}
                    onChange={(e) => set({ jwksText: e.target.value })}
                  />
                )}
              </Field>
            )}
          </>
        )}
      </fieldset>

      <fieldset className="form-section">
        <legend>
          <h4 className="legend-heading">{t('onboarding.app.securityContact')}</h4>
        </legend>
        <p className="hint">{t('onboarding.signUp.contactHint')}</p>
        <ContactFields
          prefix="app-contact"
          value={draft.contact}
          onChange={(contact) => set({ contact })}
          errorOf={errorOf}
        />
      </fieldset>

      <p className="actions">
        <button type="submit" disabled={busy} data-action="submit-application">
          {busy
            ? t('onboarding.form.sending')
            : resubmit
              ? t('onboarding.form.resubmit')
              : t('onboarding.form.submit')}
        </button>
        <button type="button" className="button secondary" onClick={onCancel}>
          {t('onboarding.form.cancel')}
        </button>
      </p>
      {busy && (
        <p className="loading-inline" role="status">
          {t('onboarding.form.sendingExplain')}
        </p>
      )}
    </form>
  );
}

/** Security contact: name, e-mail, phone; shared by the sign-up and the application form. */
export function ContactFields({
  prefix,
  value,
  onChange,
  errorOf,
}: {
  prefix: string;
  value: { name: string; email: string; phone: string };
  onChange: (value: { name: string; email: string; phone: string }) => void;
  errorOf: (id: string) => string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <div className="field-grid">
      <Field
        id={`${prefix}-name`}
        label={t('onboarding.signUp.contactName')}
        error={errorOf(`${prefix}-name`)}
      >
        {(c) => (
          <input
            {...c}
            autoComplete="name"
            value={value.name}
            onChange={(e) => onChange({ ...value, name: e.target.value })}
          />
        )}
      </Field>
      <Field
        id={`${prefix}-email`}
        label={t('onboarding.signUp.contactEmail')}
        error={errorOf(`${prefix}-email`)}
      >
        {(c) => (
          <input
            {...c}
            type="email"
            autoComplete="email"
            spellCheck={false}
            value={value.email}
            onChange={(e) => onChange({ ...value, email: e.target.value })}
          />
        )}
      </Field>
      <Field
        id={`${prefix}-phone`}
        label={t('onboarding.signUp.contactPhone')}
        optional={t('onboarding.form.optional')}
        error={errorOf(`${prefix}-phone`)}
      >
        {(c) => (
          <input
            {...c}
            type="tel"
            autoComplete="tel"
            value={value.phone}
            onChange={(e) => onChange({ ...value, phone: e.target.value })}
          />
        )}
      </Field>
    </div>
  );
}

/** A text asked in both languages, zh-TW first: two fields side by side on a wide screen. */
function PairFields({
  id,
  label,
  hint,
  value,
  onChange,
  errorOf,
  multiline = false,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  value: Pair;
  onChange: (value: Pair) => void;
  errorOf: (id: string) => string | undefined;
  multiline?: boolean;
}) {
  const { t } = useTranslation();
  const one = (lang: 'zh' | 'en') => (
    <Field
      id={`${id}-${lang}`}
      label={t(lang === 'zh' ? 'onboarding.form.inZh' : 'onboarding.form.inEn', { label })}
      hint={lang === 'zh' ? hint : undefined}
      error={errorOf(`${id}-${lang}`)}
    >
      {(c) =>
        multiline ? (
          <textarea
            {...c}
            rows={2}
            lang={lang === 'zh' ? 'zh-TW' : 'en'}
            value={value[lang]}
            onChange={(e) => onChange({ ...value, [lang]: e.target.value })}
          />
        ) : (
          <input
            {...c}
            lang={lang === 'zh' ? 'zh-TW' : 'en'}
            value={value[lang]}
            onChange={(e) => onChange({ ...value, [lang]: e.target.value })}
          />
        )
      }
    </Field>
  );
  return (
    <div className="field-pair">
      {one('zh')}
      {one('en')}
    </div>
  );
}

function ServiceFields({
  draft,
  set,
  setDraft,
  errorOf,
  datasets,
}: {
  draft: Draft;
  set: (patch: Partial<Draft>) => void;
  setDraft: (update: (d: Draft) => Draft) => void;
  errorOf: (id: string) => string | undefined;
  datasets: DatasetView[];
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const [adding, setAdding] = useState('');
  const [added, setAdded] = useState<number | undefined>();
  useEffect(() => {
    if (added !== undefined) document.getElementById(`app-ds-${added}-just-zh`)?.focus();
  }, [added]);
  const chosen = new Set(draft.requested.map((r) => r.datasetId));
  const available = datasets.filter((d) => !chosen.has(d.id));
  const update = (i: number, patch: Partial<RequestedDraft>) =>
    setDraft((d) => ({ ...d, requested: d.requested.map((r, j) => (j === i ? { ...r, ...patch } : r)) }));

  return (
    <>
      <fieldset className="form-section">
        <legend>
          <h4 className="legend-heading">{t('onboarding.app.serviceTitle')}</h4>
        </legend>
        <Field
          id="app-service-id"
          label={t('onboarding.app.serviceId')}
          hint={t('onboarding.form.serviceIdHint')}
          error={errorOf('app-service-id')}
        >
          {(c) => (
            <input
              {...c}
              spellCheck={false}
              autoCapitalize="none"
              value={draft.serviceId}
              onChange={(e) => set({ serviceId: e.target.value })}
            />
          )}
        </Field>
        <PairFields
          id="app-name"
          label={t('onboarding.app.serviceName')}
          value={draft.name}
          onChange={(name) => set({ name })}
          errorOf={errorOf}
        />
        <PairFields
          id="app-description"
          label={t('onboarding.app.description')}
          value={draft.description}
          onChange={(description) => set({ description })}
          errorOf={errorOf}
          multiline
        />
        <fieldset className="choice-group">
          <legend>{t('onboarding.app.mode')}</legend>
          {(['online', 'counter'] as const).map((m) => (
            <div className="radio" key={m}>
              <input
                type="radio"
                id={`app-mode-${m}`}
                name="mode"
                checked={draft.mode === m}
                aria-describedby={`app-mode-${m}-hint`}
                onChange={() => set({ mode: m })}
              />
              <label htmlFor={`app-mode-${m}`}>{t(`modes.${m}.name`)}</label>
              <span className="hint" id={`app-mode-${m}-hint`}>
                {t(`modes.${m}.explain`)}
              </span>
            </div>
          ))}
        </fieldset>
        <Field
          id="app-dpv"
          label={t('onboarding.form.dpv')}
          hint={t('onboarding.form.dpvHint')}
          error={errorOf('app-dpv')}
        >
          {(c) => (
            <>
              <input
                {...c}
                list="app-dpv-suggestions"
                spellCheck={false}
                value={draft.dpv}
                onChange={(e) => set({ dpv: e.target.value })}
              />
              <datalist id="app-dpv-suggestions">
                {DPV_SUGGESTIONS.map((p) => (
                  <option key={p} value={p} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <PairFields
          id="app-purpose"
          label={t('onboarding.form.purposeDescription')}
          value={draft.purpose}
          onChange={(purpose) => set({ purpose })}
          errorOf={errorOf}
          multiline
        />
        <Field
          id="app-retention"
          label={t('onboarding.form.retentionDays')}
          hint={t('onboarding.form.retentionHint')}
          error={errorOf('app-retention')}
        >
          {(c) => (
            <input
              {...c}
              inputMode="numeric"
              className="short"
              value={draft.retentionDays}
              onChange={(e) => set({ retentionDays: e.target.value })}
            />
          )}
        </Field>
      </fieldset>

      <fieldset className="form-section">
        <legend>
          <h4 className="legend-heading">{t('onboarding.form.datasetsTitle')}</h4>
        </legend>
        <p className="hint">{t('onboarding.form.datasetsHint')}</p>
        {draft.requested.map((r, i) => {
          const known = datasets.find((d) => d.id === r.datasetId);
          return (
            <fieldset className="requested-draft card" key={r.datasetId} data-dataset={r.datasetId}>
              <legend>
                {known
                  ? t('onboarding.form.datasetFrom', {
                      dataset: pick(known.name),
                      agency: pick(known.agency.name),
                    })
                  : r.datasetId}
              </legend>
              <div className="consent-check">
                <input
                  type="checkbox"
                  id={`app-ds-${i}-required`}
                  checked={r.required}
                  onChange={(e) => update(i, { required: e.target.checked })}
                />
                <label htmlFor={`app-ds-${i}-required`}>{t('onboarding.form.required')}</label>
              </div>
              <PairFields
                id={`app-ds-${i}-just`}
                label={t('onboarding.form.whyDataset')}
                value={r.justification}
                onChange={(justification) => update(i, { justification })}
                errorOf={errorOf}
                multiline
              />
              <fieldset className="field-reasons">
                <legend>{t('onboarding.form.fieldReasons')}</legend>
                <p className="hint">{t('onboarding.form.fieldReasonsHint')}</p>
                {(known?.fields ?? []).map((f) => (
                  <PairFields
                    key={f.name}
                    id={`app-ds-${i}-f-${f.name}`}
                    label={t('onboarding.form.whyField', { field: pick(f.label) })}
                    value={r.fields[f.name] ?? EMPTY}
                    onChange={(value) => update(i, { fields: { ...r.fields, [f.name]: value } })}
                    errorOf={errorOf}
                  />
                ))}
              </fieldset>
              <p>
                <button
                  type="button"
                  className="button secondary"
                  data-action="remove-dataset"
                  onClick={() =>
                    setDraft((d) => ({ ...d, requested: d.requested.filter((_, j) => j !== i) }))
                  }
                >
                  {t('onboarding.form.removeDataset', { dataset: known ? pick(known.name) : r.datasetId })}
                </button>
              </p>
            </fieldset>
          );
        })}
        <div className="field add-row">
          <label htmlFor="app-add-dataset">{t('onboarding.form.addDataset')}</label>
          {errorOf('app-add-dataset') && (
            <span className="field-error" id="app-add-dataset-error">
              {errorOf('app-add-dataset')}
            </span>
          )}
          <div className="inline-controls">
            <select
              id="app-add-dataset"
              value={adding}
              aria-describedby={errorOf('app-add-dataset') ? 'app-add-dataset-error' : undefined}
              onChange={(e) => setAdding(e.target.value)}
            >
              <option value="">{t('onboarding.form.chooseDataset')}</option>
              {available.map((d) => (
                <option key={d.id} value={d.id}>
                  {t('onboarding.form.datasetFrom', { dataset: pick(d.name), agency: pick(d.agency.name) })}
                </option>
              ))}
            </select>
            <button
              type="button"
              data-action="add-dataset"
              disabled={!adding}
              onClick={() => {
                setDraft((d) => ({
                  ...d,
                  requested: [
                    ...d.requested,
                    { datasetId: adding, required: true, justification: EMPTY, fields: {} },
                  ],
                }));
                setAdded(draft.requested.length);
                setAdding('');
              }}
            >
              {t('onboarding.form.add')}
            </button>
          </div>
        </div>
      </fieldset>
    </>
  );
}

function ProvidedFields({
  draft,
  setDraft,
  errorOf,
  orgId,
}: {
  draft: Draft;
  setDraft: (update: (d: Draft) => Draft) => void;
  errorOf: (id: string) => string | undefined;
  orgId: string;
}) {
  const { t } = useTranslation();
  const update = (i: number, patch: Partial<ProvidedDraft>) =>
    setDraft((d) => ({ ...d, provided: d.provided.map((p, j) => (j === i ? { ...p, ...patch } : p)) }));
  const updateField = (i: number, j: number, patch: Partial<ProvidedFieldDraft>) =>
    setDraft((d) => ({
      ...d,
      provided: d.provided.map((p, k) =>
        k === i ? { ...p, fields: p.fields.map((f, l) => (l === j ? { ...f, ...patch } : f)) } : p,
      ),
    }));
  return (
    <fieldset className="form-section">
      <legend>
        <h4 className="legend-heading">{t('onboarding.form.providedTitle')}</h4>
      </legend>
      <p className="hint">{t('onboarding.form.providedHint')}</p>
      {draft.provided.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: datasets are edited in place; ids change as typed.
        <fieldset className="card provided-draft" key={i}>
          <legend>{t('onboarding.form.providedN', { n: i + 1 })}</legend>
          <Field
            id={`app-pd-${i}-id`}
            label={t('onboarding.form.providedIdLabel')}
            hint={t('onboarding.form.providedIdHint', { org: orgId })}
            error={errorOf(`app-pd-${i}-id`)}
          >
            {(c) => (
              <input
                {...c}
                spellCheck={false}
                value={p.id}
                onChange={(e) => update(i, { id: e.target.value })}
              />
            )}
          </Field>
          <PairFields
            id={`app-pd-${i}-name`}
            label={t('onboarding.form.name')}
            value={p.name}
            onChange={(name) => update(i, { name })}
            errorOf={errorOf}
          />
          <PairFields
            id={`app-pd-${i}-desc`}
            label={t('onboarding.app.description')}
            value={p.description}
            onChange={(description) => update(i, { description })}
            errorOf={errorOf}
            multiline
          />
          <div className="field-grid">
            <Field id={`app-pd-${i}-topic`} label={t('dataset.topic')}>
              {(c) => (
                <select
                  {...c}
                  value={p.topic}
                  onChange={(e) => update(i, { topic: e.target.value as Topic })}
                >
                  {TOPIC_IDS.map((x) => (
                    <option key={x} value={x}>
                      {t(`topics.${x}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field id={`app-pd-${i}-assurance`} label={t('service.assurance')}>
              {(c) => (
                <select
                  {...c}
                  value={p.minAssurance}
                  onChange={(e) => update(i, { minAssurance: e.target.value as AssuranceLevel })}
                >
                  {ASSURANCE_LEVELS.map((x) => (
                    <option key={x} value={x}>
                      {t(`assurance.${x}.name`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field id={`app-pd-${i}-sensitivity`} label={t('dataset.sensitivity')}>
              {(c) => (
                <select
                  {...c}
                  value={p.sensitivity}
                  onChange={(e) => update(i, { sensitivity: e.target.value as 'normal' | 'sensitive' })}
                >
                  {(['normal', 'sensitive'] as const).map((x) => (
                    <option key={x} value={x}>
                      {t(`sensitivity.${x}.name`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <fieldset className="field-reasons">
            <legend>{t('onboarding.app.fieldsCaption')}</legend>
            {p.fields.map((f, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: fields are edited in place; names change as typed.
              <div className="provided-field" key={j}>
                <div className="field-grid">
                  <Field
                    id={`app-pd-${i}-f-${j}-name`}
                    label={t('onboarding.form.fieldName', { n: j + 1 })}
                    error={errorOf(`app-pd-${i}-f-${j}-name`)}
                  >
                    {(c) => (
                      <input
                        {...c}
                        spellCheck={false}
                        value={f.name}
                        onChange={(e) => updateField(i, j, { name: e.target.value })}
                      />
                    )}
                  </Field>
                  <Field id={`app-pd-${i}-f-${j}-type`} label={t('onboarding.form.fieldType', { n: j + 1 })}>
                    {(c) => (
                      <select
                        {...c}
                        value={f.type}
                        onChange={(e) => updateField(i, j, { type: e.target.value as FieldType })}
                      >
                        {FIELD_TYPE_IDS.map((x) => (
                          <option key={x} value={x}>
                            {t(`dataset.types.${x}`)}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                </div>
                <PairFields
                  id={`app-pd-${i}-f-${j}-label`}
                  label={t('onboarding.form.fieldLabel', { n: j + 1 })}
                  value={f.label}
                  onChange={(label) => updateField(i, j, { label })}
                  errorOf={errorOf}
                />
              </div>
            ))}
            <p className="actions">
              <button
                type="button"
                className="button secondary"
                onClick={() =>
                  update(i, { fields: [...p.fields, { name: '', label: EMPTY, type: 'string' }] })
                }
              >
                {t('onboarding.form.addField')}
              </button>
              {p.fields.length > 1 && (
                <button
                  type="button"
                  className="button secondary"
                  onClick={() => update(i, { fields: p.fields.slice(0, -1) })}
                >
                  {t('onboarding.form.removeField')}
                </button>
              )}
            </p>
          </fieldset>
        </fieldset>
      ))}
      <p className="actions">
        <button
          type="button"
          className="button secondary"
          onClick={() =>
            setDraft((d) => ({
              ...d,
              provided: [...d.provided, blankProvided(orgId, d.provided.length + 1)],
            }))
          }
        >
          {t('onboarding.form.addProvided')}
        </button>
        {draft.provided.length > 1 && (
          <button
            type="button"
            className="button secondary"
            onClick={() => setDraft((d) => ({ ...d, provided: d.provided.slice(0, -1) }))}
          >
            {t('onboarding.form.removeProvided')}
          </button>
        )}
      </p>
    </fieldset>
  );
}
