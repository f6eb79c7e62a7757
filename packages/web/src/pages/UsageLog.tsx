import type { ErrorCode, UsageEventType } from '@mydata/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, type MyUsageEntry, type MyUsageLogPage, usageLogApi } from '../api.ts';
import { Loading } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { Fact } from '../components/Fact.tsx';
import { SignInNotice } from '../components/SignInNotice.tsx';
import { useLanguage, useTitle } from '../hooks.ts';
import { ERROR_TEXTS } from '../i18n/errors.ts';
import { zhTW } from '../i18n/zh-TW.ts';
import { useSession } from '../session.ts';
import { type CheckpointNote, checkEntry, type EntryCheck, verifyCheckpoint } from '../verify/tlog.ts';
import { formToParams } from './Catalogue.tsx';

const EVENT_TYPES = Object.keys(zhTW.events) as UsageEventType[];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** My usage log: every use of the citizen's data and account, each entry checked in this browser. */
export function UsageLog() {
  const { t } = useTranslation();
  useTitle(t('usageLog.title'));
  const session = useSession();
  if (session.isPending) return <Loading />;
  if (session.isError)
    return <ErrorPanel error={session.error} retry={() => void session.refetch()} asPage />;
  if (!session.data) {
    return (
      <SignInNotice
        id="usage-log-title"
        title={t('usageLog.title')}
        feature="usageLog"
        body={t('usageLog.signInBody')}
        signInHref="/sign-in?return=/usage-log"
      />
    );
  }
  return <SignedIn />;
}

interface PageCheck {
  checkpoint: 'verified' | 'failed' | 'none' | 'unsupported';
  size?: number;
  entries: Map<string, EntryCheck>;
}

/** Verifies a page in the browser: the checkpoint's signature first, then each entry against it. */
async function checkPage(page: MyUsageLogPage): Promise<PageCheck> {
  let note: CheckpointNote | undefined;
  let state: PageCheck['checkpoint'] = 'none';
  if (page.checkpoint) {
    try {
      note = await verifyCheckpoint(page.checkpoint.note, page.verifierKey);
      state =
        note.root === page.checkpoint.root && note.size === page.checkpoint.size ? 'verified' : 'failed';
      if (state === 'failed') note = undefined;
    } catch (error) {
      state = error instanceof DOMException && error.name === 'NotSupportedError' ? 'unsupported' : 'failed';
    }
  }
  const entries = new Map<string, EntryCheck>();
  for (const item of page.items) {
    const checked = await checkEntry(item, note).catch(
      (): EntryCheck => ({ status: 'failed', reason: 'commitment' }),
    );
    // An entry can be proved only against a checkpoint whose signature held.
    entries.set(
      item.id,
      checked.status === 'verified' && state !== 'verified'
        ? { status: 'failed', reason: 'checkpoint' }
        : checked,
    );
  }
  return { checkpoint: state, ...(note ? { size: note.size } : {}), entries };
}

function SignedIn() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const eventParam = params.get('event');
  const event = EVENT_TYPES.find((e) => e === eventParam);
  const from = DAY.test(params.get('from') ?? '') ? (params.get('from') ?? undefined) : undefined;
  const to = DAY.test(params.get('to') ?? '') ? (params.get('to') ?? undefined) : undefined;
  const filter = { event, from, to };
  const log = useInfiniteQuery({
    queryKey: ['identity', 'usage-log', filter],
    queryFn: ({ pageParam }) => usageLogApi.mine({ ...filter, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 0,
  });
  const pages = log.data?.pages ?? [];
  const checks = useQuery({
    queryKey: ['identity', 'usage-log-checks', filter, pages.map((p) => p.items.map((i) => i.id).join())],
    queryFn: () => Promise.all(pages.map(checkPage)),
    enabled: pages.length > 0,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const items = pages.flatMap((p) => p.items);
  const checkOf = (id: string) => checks.data?.map((c) => c.entries.get(id)).find(Boolean);
  const first = checks.data?.[0];

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setParams(formToParams(e.currentTarget));
  };

  return (
    <section className="usage-log" aria-labelledby="usage-log-title">
      <h1 id="usage-log-title">{t('usageLog.title')}</h1>
      <p className="lead">{t('usageLog.intro')}</p>
      <search aria-label={t('usageLog.filters')}>
        <form className="filters log-filters" onSubmit={onSubmit} key={params.toString()}>
          <div className="field">
            <label htmlFor="log-event">{t('usageLog.event')}</label>
            <select id="log-event" name="event" defaultValue={event ?? ''}>
              <option value="">{t('usageLog.anyEvent')}</option>
              {EVENT_TYPES.map((e) => (
                <option key={e} value={e}>
                  {t(`events.${e}.name`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="log-from">{t('usageLog.from')}</label>
            <input
              id="log-from"
              name="from"
              type="date"
              defaultValue={from}
              aria-describedby="log-date-hint"
            />
          </div>
          <div className="field">
            <label htmlFor="log-to">{t('usageLog.to')}</label>
            <input id="log-to" name="to" type="date" defaultValue={to} aria-describedby="log-date-hint" />
          </div>
          <div className="field buttons">
            <button type="submit">{t('usageLog.submit')}</button>
            {params.size > 0 && (
              <Link className="button secondary" to="/usage-log">
                {t('usageLog.clear')}
              </Link>
            )}
          </div>
          <p className="hint" id="log-date-hint">
            {t('usageLog.dateHint')}
          </p>
        </form>
      </search>
      {log.isPending ? (
        <Loading />
      ) : log.isError ? (
        <ErrorPanel error={log.error} retry={() => void log.refetch()} />
      ) : (
        <>
          <section className="checkpoint" aria-labelledby="checkpoint-title">
            <h2 id="checkpoint-title">{t('usageLog.checkpointTitle')}</h2>
            <p role="status" data-checkpoint={first?.checkpoint ?? 'checking'}>
              {!first
                ? t('usageLog.checking')
                : first.checkpoint === 'verified'
                  ? t('usageLog.checkpointVerified', { size: first.size })
                  : first.checkpoint === 'none'
                    ? t('usageLog.checkpointNone')
                    : first.checkpoint === 'unsupported'
                      ? t('usageLog.checkpointUnsupported')
                      : t('usageLog.checkpointFailed')}
            </p>
          </section>
          <p role="status" className="count">
            {items.length
              ? t('usageLog.shown', { count: items.length })
              : params.size
                ? t('usageLog.none')
                : t('usageLog.empty')}
          </p>
          <ol className="log-entries">
            {items.map((item) => (
              <li key={item.id}>
                <Entry item={item} check={checkOf(item.id)} />
              </li>
            ))}
          </ol>
          {log.hasNextPage && (
            <p>
              <button
                type="button"
                className="button secondary"
                disabled={log.isFetchingNextPage}
                onClick={() => void log.fetchNextPage()}
              >
                {log.isFetchingNextPage ? t('usageLog.loadingMore') : t('usageLog.more')}
              </button>
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** Names of services, datasets and organisations in the citizen's language, from the public catalogue. */
function useNames() {
  const { pick } = useLanguage();
  const services = useQuery({ queryKey: ['services', {}], queryFn: () => api.services({}) });
  const datasets = useQuery({ queryKey: ['datasets', {}], queryFn: () => api.datasets({}) });
  const organisations = useQuery({
    queryKey: ['organisations', undefined],
    queryFn: () => api.organisations(),
  });
  const find = <T extends { id: string; name: { 'zh-TW': string; en: string } }>(
    list: T[] | undefined,
    id: string,
  ) => {
    const found = list?.find((x) => x.id === id);
    return found ? pick(found.name) : id;
  };
  return {
    service: (id: string) => find(services.data?.items, id),
    dataset: (id: string) => find(datasets.data?.items, id),
    organisation: (id: string) => find(organisations.data?.items, id),
  };
}

function Verification({ check }: { check: EntryCheck | undefined }) {
  const { t } = useTranslation();
  if (!check) return <span className="verification checking">{t('usageLog.checking')}</span>;
  if (check.status === 'verified')
    return (
      <span className="verification verified">
        <strong className="verification-label">{t('usageLog.verified')}</strong>{' '}
        <span className="hint">{t('usageLog.verifiedExplain')}</span>
      </span>
    );
  if (check.status === 'pending')
    return (
      <span className="verification pending">
        <strong className="verification-label">{t('usageLog.pending')}</strong>{' '}
        <span className="hint">{t('usageLog.pendingExplain')}</span>
      </span>
    );
  return (
    <span className="verification failed">
      <strong className="verification-label">{t('usageLog.failed')}</strong>{' '}
      <span>{t(`usageLog.failedReasons.${check.reason}`)}</span>
    </span>
  );
}

function Entry({ item, check }: { item: MyUsageEntry; check: EntryCheck | undefined }) {
  const { t } = useTranslation();
  const { lang } = useLanguage();
  const names = useNames();
  const e = item.entry;
  const when = new Date(e.occurredAt).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-TW', {
    timeZone: 'Asia/Taipei',
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  // Sign-ins name their methods (`methods`, comma-separated); the other identity events one `method`.
  const named = e.details?.methods ?? e.details?.method;
  const methods = typeof named === 'string' && named ? named.split(',') : [];
  // A failed sign-in names the error: told in words, as the sign-in page told it.
  const code = e.details?.code;
  const reason =
    typeof code === 'string' && code in ERROR_TEXTS[lang]
      ? ERROR_TEXTS[lang][code as ErrorCode].title
      : undefined;
  const list = (xs: string[]) => xs.join(t('signIn.listSeparator'));
  const headingId = `entry-${item.id}`;
  return (
    <article
      className="log-entry"
      aria-labelledby={headingId}
      data-event={e.event}
      data-verification={check?.status ?? 'checking'}
    >
      <h2 id={headingId} className="log-entry-title">
        {t(`events.${e.event}.name`)} <span className="log-when">{when}</span>
      </h2>
      <p className="hint">{t(`events.${e.event}.explain`)}</p>
      <dl className="facts">
        <Fact label={t('usageLog.verification')}>
          <Verification check={check} />
        </Fact>
        {e.serviceId && <Fact label={t('usageLog.service')}>{names.service(e.serviceId)}</Fact>}
        {e.datasets.length > 0 && (
          <Fact label={t('usageLog.datasets')}>{list(e.datasets.map(names.dataset))}</Fact>
        )}
        {e.agencyIds?.length ? (
          <Fact label={t('usageLog.agencies')}>{list(e.agencyIds.map(names.organisation))}</Fact>
        ) : null}
        {e.purpose && <Fact label={t('usageLog.purpose')}>{e.purpose}</Fact>}
        {e.clerkId && <Fact label={t('clerk.inLog')}>{e.clerkId}</Fact>}
        {methods.length > 0 && (
          <Fact label={t('usageLog.method')}>
            {list(methods.map((m) => t(`signIn.methods.${m}.name`, { defaultValue: m })))}
          </Fact>
        )}
        {reason && <Fact label={t('usageLog.reason')}>{reason}</Fact>}
        {e.event === 'contact-changed' && (
          <Fact label={t('usageLog.contactChange')}>
            {list(
              (['email', 'mobile'] as const)
                .filter((k) => typeof e.details?.[k] === 'string' && e.details[k] !== 'unchanged')
                .map((k) => `${t(`account.${k}`)} ${t(`usageLog.changes.${e.details?.[k]}`)}`),
            )}
          </Fact>
        )}
        <Fact label={t('usageLog.outcome')}>{t(`usageLog.outcomes.${e.outcome}`)}</Fact>
        <Fact label={t('usageLog.notifications')}>
          {item.notifications.length ? (
            <ul className="plain">
              {item.notifications.map((n) => (
                <li key={`${n.channel}-${n.sentAt ?? n.status}`}>
                  {t(`usageLog.channels.${n.channel}`, { defaultValue: n.channel })}
                  {lang === 'en' ? ': ' : '：'}
                  {t(`usageLog.deliveries.${n.status}`, { defaultValue: n.status })}
                </li>
              ))}
            </ul>
          ) : (
            t('usageLog.noNotifications')
          )}
        </Fact>
      </dl>
      <details className="technical">
        <summary>{t('usageLog.technical')}</summary>
        <dl className="facts wide">
          {item.index !== null && <Fact label={t('usageLog.index')}>{item.index}</Fact>}
          <Fact label={t('usageLog.commitment')}>
            <code>{item.commitment}</code>
          </Fact>
          {e.details && (
            <Fact label={t('usageLog.details')}>
              <code>{JSON.stringify(e.details)}</code>
            </Fact>
          )}
        </dl>
      </details>
    </article>
  );
}
