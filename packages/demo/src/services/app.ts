/**
 * One demo service as its own small web app on its own port: a landing page, the MyData transfer
 * (built only on @mydata/sdk), the data received with each agency's signature marked as verified,
 * clear pages for a decline or a failure, and a webhook endpoint with a status page.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Catalogue, LocalizedText } from '@mydata/core';
import {
  type ApplicationHandle,
  type ApplicationProgress,
  createServiceClient,
  MyDataProblem,
  type PendingTransfer,
  type ServiceKeys,
  TransferError,
  type TransferResult,
  type WebhookEvent,
} from '@mydata/sdk';
import { bi, heading, html, page, type Safe, t } from './html.ts';
import { NESTED_FIELD_LABELS, VALUE_LABELS } from './labels.ts';
import type { DemoServiceSpec } from './specs.ts';

/** A demo service that is running. */
export interface RunningDemoService {
  serviceId: string;
  /** Its landing page. */
  url: string;
  redirectUri: string;
  webhookUrl: string;
  /** The JWKS to register with the platform (public signing and encryption keys). */
  publicJwks: ServiceKeys['publicJwks'];
  /** Webhook events received and verified, newest first. */
  events(): readonly ReceivedEvent[];
  stop(): Promise<void>;
}

export interface ReceivedEvent extends Omit<WebhookEvent, 'claims'> {
  receivedAt: Date;
}

export interface DemoServiceOptions {
  spec: DemoServiceSpec;
  catalogue: Catalogue;
  /** The platform's issuer URL. */
  platformUrl: string;
  keys: ServiceKeys;
  /** 0 picks a free port. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Host name in the service's own URLs; `localhost` by default (the platform allows http only there). */
  publicHost?: string;
  now?: () => Date;
}

interface Failure {
  code: string;
  detail: string;
  agencyId?: string | undefined;
}

interface Session {
  csrf: string;
  createdAt: number;
  pending?: PendingTransfer;
  result?: TransferResult & { reference: string };
  failure?: Failure;
  /** A multi-person application waiting for other people: its consent id in `waiting`. */
  waitingFor?: string;
}

/** A multi-person application this service waits on; the handle stays here, server-side. */
interface Waiting {
  reference: string;
  handle: ApplicationHandle;
  progress: ApplicationProgress;
  result?: TransferResult & { reference: string };
  failure?: Failure;
}

interface Application {
  reference: string;
  consentId: string;
  receivedAt: Date;
  datasets: string[];
  withdrawn: boolean;
}

const SESSION_TTL_MS = 60 * 60_000;
const MAX_WEBHOOK_BYTES = 64 * 1024;
const MAX_EVENTS = 200;

/** Starts one demo service; it listens before it returns so its URLs are known. */
export async function startDemoService(options: DemoServiceOptions): Promise<RunningDemoService> {
  const { spec, catalogue } = options;
  const service = catalogue.services.find((s) => s.id === spec.serviceId);
  if (!service) throw new Error(`the catalogue has no service ${spec.serviceId}`);
  const provider = catalogue.organisations.find((o) => o.id === service.providerId);
  const providerName = provider?.name ?? t(service.providerId, service.providerId);
  const now = options.now ?? (() => new Date());
  const cookieName = `mydata-demo-${spec.slug}`;
  const sessions = new Map<string, Session>();
  const applications = new Map<string, Application>();
  const waiting = new Map<string, Waiting>();
  const events: ReceivedEvent[] = [];
  const platformOrigin = new URL(options.platformUrl).origin;

  let base = '';
  let client: ReturnType<typeof createServiceClient>;

  const frame = (title: LocalizedText, body: Safe) =>
    page({ title, serviceName: service.name, provider: providerName, accent: spec.accent, body });

  function send(res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8') {
    res.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      // The callback URL carries the authorization code: never send it on as a referrer.
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${platformOrigin}; frame-ancestors 'none'; base-uri 'none'`,
    });
    res.end(body);
  }
  const redirect = (res: ServerResponse, location: string) => {
    res.writeHead(303, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    res.end();
  };

  function sessionOf(req: IncomingMessage, res: ServerResponse, create: true): Session;
  function sessionOf(req: IncomingMessage, res: ServerResponse, create: false): Session | undefined;
  function sessionOf(req: IncomingMessage, res: ServerResponse, create: boolean) {
    const cookie = (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim().split('='))
      .find(([k]) => k === cookieName)?.[1];
    const found = cookie ? sessions.get(cookie) : undefined;
    if (found && Date.now() - found.createdAt < SESSION_TTL_MS) return found;
    if (!create) return undefined;
    for (const [id, s] of sessions) if (Date.now() - s.createdAt >= SESSION_TTL_MS) sessions.delete(id);
    const id = randomBytes(24).toString('base64url');
    const session: Session = { csrf: randomBytes(24).toString('base64url'), createdAt: Date.now() };
    sessions.set(id, session);
    // SameSite=Lax: the cookie comes back on the top-level redirect from the platform to the callback.
    res.setHeader('set-cookie', `${cookieName}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600`);
    return session;
  }

  const datasetOf = (id: string) => catalogue.datasets.find((d) => d.id === id);
  const agencyName = (id: string) => catalogue.organisations.find((o) => o.id === id)?.name ?? t(id, id);

  function landing(session: Session): string {
    const rows = service?.datasets.map((sd) => {
      const d = datasetOf(sd.datasetId);
      return html`<tr>
        <th scope="row">${d ? bi(d.name) : sd.datasetId}</th>
        <td>${d ? bi(agencyName(d.agencyId)) : ''}</td>
        <td>${sd.required ? bi(t('必要', 'Required')) : bi(t('選擇提供', 'Optional'))}</td>
        <td>${bi(sd.justification)}</td>
      </tr>`;
    });
    return frame(
      service?.name ?? t('', ''),
      html`${heading(1, service?.name ?? t('', ''))}
      ${bi(spec.intro, 'p')}
      <section aria-labelledby="data-heading">
        ${heading(2, t('本服務會向您索取的資料', 'The data this service asks for'), 'data-heading')}
        <p>${bi(t('用途：', 'Purpose: '))}${bi(service?.purpose.description ?? t('', ''))}</p>
        <table>
          <caption>${bi(t(`資料保存 ${service?.retentionDays} 天；每次申請只使用一次。`, `Kept ${service?.retentionDays} days; used for this one application only.`))}</caption>
          <thead><tr>
            <th scope="col">${bi(t('資料', 'Data'))}</th>
            <th scope="col">${bi(t('提供機關', 'Held by'))}</th>
            <th scope="col">${bi(t('是否必要', 'Needed'))}</th>
            <th scope="col">${bi(t('為何需要', 'Why'))}</th>
          </tr></thead>
          <tbody>${rows}</tbody>
        </table>
        <div class="notice">${bi(
          t(
            '按下按鈕後會前往 MyData 平臺：請登入並確認同意，選擇性資料可以取消勾選。資料由各機關簽章，本服務會逐一驗證。',
            'The button takes you to the MyData platform: sign in and confirm; you may untick the optional data. Each agency signs its data and this service checks every signature.',
          ),
          'p',
        )}</div>
        <form method="post" action="/start">
          <input type="hidden" name="csrf" value="${session.csrf}">
          <button type="submit" class="button"><span lang="zh-Hant-TW">以 MyData 帶入資料</span> <span lang="en" class="en">Fill in with MyData</span></button>
        </form>
      </section>
      <p><a class="secondary" href="/status">${bi(t('服務狀態與通知紀錄', 'Service status and notifications'))}</a></p>`,
    );
  }

  const fieldName = (name: string) => {
    const label = NESTED_FIELD_LABELS[name];
    return label ? bi(label) : html`${name}`;
  };

  function renderValue(value: unknown): Safe {
    if (value === null || value === undefined) return html`<span aria-label="無 none">—</span>`;
    if (typeof value === 'boolean') return html`${value ? '是 Yes' : '否 No'}`;
    // Amounts get thousands separators; years and small counts read better without.
    if (typeof value === 'number')
      return html`${value >= 10_000 ? value.toLocaleString('en') : String(value)}`;
    if (Array.isArray(value)) {
      if (value.length === 0) return html`${bi(t('無', 'None'))}`;
      if (value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
        const cols = [...new Set(value.flatMap((v) => Object.keys(v as object)))];
        return html`<table><thead><tr>${cols.map((c) => html`<th scope="col">${fieldName(c)}</th>`)}</tr></thead><tbody>${value.map(
          (row) =>
            html`<tr>${cols.map((c) => html`<td>${renderValue((row as Record<string, unknown>)[c])}</td>`)}</tr>`,
        )}</tbody></table>`;
      }
      return html`${value.map(String).join('、')}`;
    }
    if (typeof value === 'object')
      return html`<dl class="data">${Object.entries(value).map(([k, v]) => html`<dt>${fieldName(k)}</dt><dd>${renderValue(v)}</dd>`)}</dl>`;
    const coded = VALUE_LABELS[String(value)];
    return coded ? bi(coded) : html`${String(value)}`;
  }

  /** A multi-person application's webhook: progress shown at once, the package fetched when ready. */
  async function onApplicationEvent(event: WebhookEvent) {
    const w = waiting.get(event.consentId);
    if (!w || w.result) return;
    const progress = event.claims.progress as ApplicationProgress | undefined;
    if (progress) w.progress = progress;
    if (event.event === 'application.ended') {
      w.failure = { code: 'application.ended', detail: '' };
      return;
    }
    if (event.event !== 'application.ready') return;
    try {
      const result = await client.fetchPackage(w.handle);
      // Every party's data is shown together: the applicant's and, under their roles, the others'.
      const datasets = [...result.datasets, ...(result.parties ?? []).flatMap((p) => p.datasets)];
      w.result = { ...result, datasets, reference: w.reference };
      applications.set(result.consentId, {
        reference: w.reference,
        consentId: result.consentId,
        receivedAt: now(),
        datasets: datasets.map((d) => d.datasetId),
        withdrawn: false,
      });
    } catch (error) {
      w.failure = failureOf(error);
    }
  }

  const roleName = (role: string) => service?.parties?.find((p) => p.role === role)?.name ?? t(role, role);
  const PARTY_STATUS: Record<string, LocalizedText> = {
    waiting: t('等待同意中', 'Waiting for consent'),
    consented: t('已同意', 'Consented'),
    declined: t('已拒絕', 'Declined'),
    expired: t('逾期未回應', 'Did not answer in time'),
  };

  /** Waiting for the other people of a multi-person application, with the progress the webhooks brought. */
  function waitingPage(w: Waiting): string {
    const others = w.progress.parties.filter((p) => p.status !== 'consented').map((p) => roleName(p.role));
    const title = others.length
      ? t(
          `等待${others.map((o) => o['zh-TW']).join('、')}同意`,
          `Waiting for the ${others.map((o) => o.en).join(', ')}`,
        )
      : t('正在取得資料', 'Fetching the data');
    return frame(
      title,
      html`${heading(1, title)}
      <div class="notice" role="status">
        <p>${bi(t('申請編號', 'Application reference'))}：<strong>${w.reference}</strong></p>
        ${bi(
          t(
            '您已同意提供您的資料。MyData 已通知其他需要同意的人；全部同意後，本服務才會收到所有資料。請重新整理此頁查看最新進度。',
            'You have consented. MyData has told the other people who must consent; this service receives the data only when all have. Reload this page to see the latest progress.',
          ),
          'p',
        )}
      </div>
      <table data-progress="${w.progress.status}"><caption>${bi(t('同意進度', 'Consent progress'))}</caption>
        <thead><tr><th scope="col">${bi(t('身分', 'Role'))}</th><th scope="col">${bi(t('狀態', 'Status'))}</th></tr></thead>
        <tbody>${w.progress.parties.map(
          (p) =>
            html`<tr data-party="${p.role}" data-status="${p.status}"><th scope="row">${bi(roleName(p.role))}</th><td>${bi(PARTY_STATUS[p.status] ?? t(p.status, p.status))}</td></tr>`,
        )}</tbody></table>
      <p><a class="button" href="/application">${bi(t('重新整理進度', 'Refresh the progress'))}</a></p>
      ${w.progress.expiresAt ? html`<p>${bi(t('邀請期限', 'Invitations expire'))}：<time datetime="${w.progress.expiresAt}">${w.progress.expiresAt}</time></p>` : ''}`,
    );
  }

  function resultPage(result: NonNullable<Session['result']>): string {
    const received = Object.fromEntries(result.datasets.map((d) => [d.datasetId, d.data]));
    const checks = spec.checks(received as never, now());
    const sections = result.datasets.map((d) => {
      const ds = datasetOf(d.datasetId);
      const labels = new Map(ds?.fields.map((f) => [f.name, f.label]) ?? []);
      return html`<section class="card" aria-labelledby="ds-${d.datasetId}">
        ${heading(3, ds?.name ?? t(d.datasetId, d.datasetId), `ds-${d.datasetId}`)}
        <p class="verified">✓ ${bi(t('機關簽章已驗證', 'Agency signature verified'))}：${bi(agencyName(d.agencyId))}</p>
        <p>${bi(t('平臺收到時間', 'Received by the platform'))}：<time datetime="${d.receivedAt}">${d.receivedAt}</time>${d.agencyKeyId ? html` · ${bi(t('簽章金鑰', 'Signing key'))} <code>${d.agencyKeyId}</code>` : ''}</p>
        <dl class="data">${Object.entries(d.data).map(
          ([k, v]) =>
            html`<dt>${labels.has(k) ? bi(labels.get(k) as LocalizedText) : k}</dt><dd>${renderValue(v)}</dd>`,
        )}</dl>
      </section>`;
    });
    return frame(
      t('已收到您的資料', 'Your data has arrived'),
      html`${heading(1, t('已收到您的資料', 'Your data has arrived'))}
      <div class="notice">
        <p>${bi(t('申請編號', 'Application reference'))}：<strong>${result.reference}</strong></p>
        ${bi(spec.next, 'p')}
      </div>
      <p>${bi(
        t(
          `以下 ${result.datasets.length} 項資料經 MyData 平臺與原提供機關雙重簽章驗證，未經竄改。`,
          `The ${result.datasets.length} datasets below passed both the MyData platform's and the issuing agency's signature checks: they have not been altered.`,
        ),
      )}</p>
      ${
        checks.length
          ? html`<section aria-labelledby="checks-heading">
        ${heading(2, t('初步檢核（非審核結果）', 'Preliminary checks (not a decision)'), 'checks-heading')}
        <table><thead><tr><th scope="col">${bi(t('項目', 'Check'))}</th><th scope="col">${bi(t('資料顯示', 'The data says'))}</th><th scope="col">${bi(t('結果', 'Result'))}</th></tr></thead>
        <tbody>${checks.map(
          (c) =>
            html`<tr><th scope="row">${bi(c.label)}</th><td>${c.value}</td><td>${
              c.pass === undefined
                ? bi(t('供參考', 'For information'))
                : c.pass
                  ? html`<span class="tag pass">✓ ${bi(t('符合', 'Meets'))}</span>`
                  : html`<span class="tag fail">✗ ${bi(t('待人工確認', 'Needs review'))}</span>`
            }</td></tr>`,
        )}</tbody></table>
      </section>`
          : ''
      }
      <section aria-labelledby="received-heading">
        ${heading(2, t('收到的資料', 'Data received'), 'received-heading')}
        ${sections}
      </section>
      <section aria-labelledby="consent-heading">
        ${heading(2, t('同意紀錄', 'Consent record'), 'consent-heading')}
        <dl class="data">
          <dt>${bi(t('同意編號', 'Consent id'))}</dt><dd><code>${result.consentId}</code></dd>
          <dt>${bi(t('您在本服務的代號', 'Your pseudonym at this service'))}</dt><dd><code>${result.subject}</code></dd>
          <dt>${bi(t('同意收據雜湊', 'Receipt hash'))}</dt><dd><code>${result.receiptSha256}</code></dd>
        </dl>
        <p><a class="secondary" href="${platformOrigin}/consents">${bi(t('在 MyData「我的同意紀錄」下載並驗證同意收據', 'Download and check the consent receipt under "My consents" on MyData'))}</a></p>
      </section>
      <p><a class="secondary" href="/">${bi(t('回到服務首頁', 'Back to the service'))}</a></p>`,
    );
  }

  function explain(f: Failure): { title: LocalizedText; what: LocalizedText; todo: LocalizedText } {
    const agency = f.agencyId ? agencyName(f.agencyId) : undefined;
    switch (f.code) {
      case 'transfer.declined':
        return {
          title: t('未提供資料', 'No data was shared'),
          what: t(
            '您在 MyData 平臺選擇不提供資料，或在機關無法提供資料後取消了申請。本服務沒有收到任何資料。',
            'You chose not to share your data on MyData, or cancelled after an agency could not provide it. This service received nothing.',
          ),
          todo: t(
            '您可以隨時重新申請；若不想使用 MyData，也可以攜帶紙本證明文件臨櫃辦理。',
            'You can apply again at any time, or apply at a counter with paper documents instead.',
          ),
        };
      case 'transfer.invalid-callback':
        return {
          title: t('此連結已失效', 'This link is no longer valid'),
          what: t(
            '這個頁面不是由您目前的申請開啟的（可能是重新整理、使用舊連結，或申請逾時）。為了保護您的資料，本服務不會使用它。',
            'This page was not opened by your current application (a reload, an old link, or a timed-out application). To protect your data, this service does not use it.',
          ),
          todo: t('請回到服務首頁重新開始。', 'Go back to the service and start again.'),
        };
      case 'transfer.package-refused':
        return {
          title: t('資料未通過驗證', 'The data did not pass verification'),
          what: agency
            ? t(
                `${agency['zh-TW']}的資料簽章驗證失敗，本服務已將整份資料捨棄，未使用任何內容。`,
                `The signature of ${agency.en} did not verify; this service discarded the whole package and used none of it.`,
              )
            : t(
                '資料包的簽章或內容驗證失敗，本服務已將其捨棄，未使用任何內容。',
                'The package failed its signature or content checks; this service discarded it and used none of it.',
              ),
          todo: t(
            '請稍後重新申請；若持續發生，請聯絡本服務客服並提供下方錯誤代碼。',
            'Please apply again later; if it keeps happening, contact the service desk with the error code below.',
          ),
        };
      case 'application.ended':
        return {
          title: t('共同申請已結束', 'The joint application ended'),
          what: t(
            '有一位需要同意的人拒絕或未在期限內回應，因此整件申請已結束，本服務沒有收到任何資料。',
            'Someone who had to consent declined or did not answer in time, so the whole application ended; this service received no data.',
          ),
          todo: t(
            '如仍需要，請回到服務首頁重新申請。',
            'If you still need it, go back to the service and apply again.',
          ),
        };
      case 'transfer.package-gone':
      case 'transfer.package-not-ready':
      case 'transfer.invalid-token':
        return {
          title: t('資料已無法取得', 'The data is no longer available'),
          what: t(
            '這次同意的資料已被取用、已逾時或已由您撤回，依規定只能使用一次。',
            'The data of this consent was already collected, has expired or was withdrawn by you; it can be used only once.',
          ),
          todo: t('請回到服務首頁重新申請。', 'Go back to the service and apply again.'),
        };
      default:
        return {
          title: t('暫時無法完成申請', 'The application could not be completed'),
          what: t(
            '與 MyData 平臺連線時發生問題，本服務沒有收到任何資料。',
            'Something went wrong with the MyData platform; this service received no data.',
          ),
          todo: t(
            '請稍後再試；若持續發生，請聯絡本服務客服並提供下方錯誤代碼。',
            'Please try again later; if it keeps happening, contact the service desk with the error code below.',
          ),
        };
    }
  }

  function failurePage(f: Failure): string {
    const e = explain(f);
    return frame(
      e.title,
      html`${heading(1, e.title)}
      <div class="alert" role="alert">${bi(e.what, 'p')}</div>
      ${heading(2, t('您可以怎麼做', 'What you can do'))}
      ${bi(e.todo, 'p')}
      <p><a class="button" href="/"><span lang="zh-Hant-TW">重新開始</span> <span lang="en" class="en">Start again</span></a></p>
      <details><summary>${bi(t('技術資訊（提供客服）', 'Technical details (for the service desk)'))}</summary>
        <dl class="data"><dt>${bi(t('錯誤代碼', 'Error code'))}</dt><dd><code>${f.code}</code></dd>
        ${f.detail ? html`<dt>${bi(t('說明', 'Detail'))}</dt><dd lang="en">${f.detail}</dd>` : ''}</dl>
      </details>`,
    );
  }

  function statusPage(): string {
    return frame(
      t('服務狀態', 'Service status'),
      html`${heading(1, t('服務狀態', 'Service status'))}
      <dl class="data">
        <dt>${bi(t('服務代碼（OAuth client_id）', 'Service id (OAuth client_id)'))}</dt><dd><code>${service?.id}</code></dd>
        <dt>${bi(t('MyData 平臺', 'MyData platform'))}</dt><dd><code>${options.platformUrl}</code></dd>
        <dt>${bi(t('回呼網址', 'Redirect URI'))}</dt><dd><code>${base}/callback</code></dd>
        <dt>${bi(t('通知網址', 'Webhook URL'))}</dt><dd><code>${base}/webhook</code></dd>
      </dl>
      ${heading(2, t('已收件申請', 'Applications received'), 'apps-heading')}
      ${
        applications.size
          ? html`<table aria-labelledby="apps-heading"><thead><tr><th scope="col">${bi(t('申請編號', 'Reference'))}</th><th scope="col">${bi(t('收件時間', 'Received'))}</th><th scope="col">${bi(t('同意編號', 'Consent id'))}</th><th scope="col">${bi(t('資料項數', 'Datasets'))}</th><th scope="col">${bi(t('狀態', 'Status'))}</th></tr></thead><tbody>${[
              ...applications.values(),
            ]
              .reverse()
              .map(
                (a) =>
                  html`<tr><td>${a.reference}</td><td>${a.receivedAt.toISOString()}</td><td><code>${a.consentId}</code></td><td>${a.datasets.length}</td><td>${a.withdrawn ? bi(t('同意已撤回', 'Consent withdrawn')) : bi(t('審核中', 'Under review'))}</td></tr>`,
              )}</tbody></table>`
          : bi(t('尚無申請。', 'No applications yet.'), 'p')
      }
      ${heading(2, t('平臺通知（已驗證簽章）', 'Platform notifications (signature verified)'), 'events-heading')}
      ${
        events.length
          ? html`<table aria-labelledby="events-heading"><thead><tr><th scope="col">${bi(t('收到時間', 'Received'))}</th><th scope="col">${bi(t('事件', 'Event'))}</th><th scope="col">${bi(t('同意編號', 'Consent id'))}</th><th scope="col">${bi(t('通知編號', 'Notification id'))}</th></tr></thead><tbody>${events.map(
              (e) =>
                html`<tr><td>${e.receivedAt.toISOString()}</td><td><code>${e.event}</code></td><td><code>${e.consentId}</code></td><td><code>${e.id}</code></td></tr>`,
            )}</tbody></table>`
          : bi(t('尚未收到通知。', 'No notifications yet.'), 'p')
      }
      <p><a class="secondary" href="/">${bi(t('回到服務首頁', 'Back to the service'))}</a></p>`,
    );
  }

  function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          resolve(undefined);
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  const failureOf = (error: unknown): Failure =>
    error instanceof MyDataProblem
      ? {
          code: error.code,
          detail: error.detail,
          agencyId: error instanceof TransferError ? error.agencyId : undefined,
        }
      : { code: 'service.internal', detail: error instanceof Error ? error.message : String(error) };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', base);
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /':
        return send(res, 200, landing(sessionOf(req, res, true)));
      case 'POST /start': {
        const session = sessionOf(req, res, false);
        const form = new URLSearchParams((await readBody(req, 4096))?.toString() ?? '');
        const token = Buffer.from(form.get('csrf') ?? '');
        if (
          !session ||
          token.length !== session.csrf.length ||
          !timingSafeEqual(token, Buffer.from(session.csrf))
        )
          return redirect(res, '/');
        try {
          const { url: to, pending } = await client.startTransfer({
            datasets: service?.datasets.map((d) => d.datasetId) ?? [],
            purpose: service?.purpose.dpv ?? '',
            mode: 'online',
          });
          session.pending = pending;
          session.failure = undefined;
          return redirect(res, to);
        } catch (error) {
          session.failure = failureOf(error);
          return redirect(res, '/problem');
        }
      }
      case 'GET /callback': {
        const session = sessionOf(req, res, true);
        const pending = session.pending;
        // The pending transfer is used once, whatever the outcome: a reload cannot replay the callback.
        session.pending = undefined;
        try {
          if (!pending)
            throw new MyDataProblem(
              { code: 'transfer.invalid-callback', detail: 'no transfer in progress' },
              400,
            );
          const result = await client.finishTransfer(url, pending);
          const reference = `${spec.slug.toUpperCase()}-${randomUUID().slice(0, 8).toUpperCase()}`;
          if (result.pending) {
            // Other people must consent first: the data comes later, announced by webhooks.
            waiting.set(result.consentId, {
              reference,
              handle: result.pending.handle,
              progress: result.pending.progress,
            });
            session.waitingFor = result.consentId;
            session.result = undefined;
            return redirect(res, '/application');
          }
          session.waitingFor = undefined;
          session.result = { ...result, reference };
          applications.set(result.consentId, {
            reference,
            consentId: result.consentId,
            receivedAt: now(),
            datasets: result.datasets.map((d) => d.datasetId),
            withdrawn: false,
          });
          return redirect(res, '/application');
        } catch (error) {
          session.failure = failureOf(error);
          return redirect(res, '/problem');
        }
      }
      case 'GET /application': {
        const session = sessionOf(req, res, false);
        const w = session?.waitingFor ? waiting.get(session.waitingFor) : undefined;
        if (w?.result) return send(res, 200, resultPage(w.result));
        if (w?.failure) return send(res, 200, failurePage(w.failure));
        if (w) return send(res, 200, waitingPage(w));
        const result = session?.result;
        return result ? send(res, 200, resultPage(result)) : redirect(res, '/');
      }
      case 'GET /problem': {
        const failure = sessionOf(req, res, false)?.failure;
        return failure ? send(res, 200, failurePage(failure)) : redirect(res, '/');
      }
      case 'POST /webhook': {
        const body = await readBody(req, MAX_WEBHOOK_BYTES);
        if (!body)
          return send(res, 413, JSON.stringify({ code: 'request.body-too-large' }), 'application/json');
        try {
          const event = await client.verifyWebhook(body);
          if (event.event.startsWith('application.')) await onApplicationEvent(event);
          if (!events.some((e) => e.id === event.id)) {
            const { claims: _claims, ...rest } = event;
            events.unshift({ ...rest, receivedAt: now() });
            events.length = Math.min(events.length, MAX_EVENTS);
            const application = applications.get(event.consentId);
            if (application && event.event === 'consent.withdrawn') application.withdrawn = true;
          }
          res.writeHead(204);
          return res.end();
        } catch (error) {
          const f = failureOf(error);
          return send(
            res,
            401,
            JSON.stringify({ code: f.code, detail: f.detail }),
            'application/problem+json',
          );
        }
      }
      case 'GET /status':
        return send(res, 200, statusPage());
      case 'GET /healthz':
        return send(res, 200, JSON.stringify({ status: 'ok' }), 'application/json');
      default:
        return send(
          res,
          404,
          frame(
            t('找不到此頁面', 'Page not found'),
            html`${heading(1, t('找不到此頁面', 'Page not found'))}<p><a class="secondary" href="/">${bi(t('回到服務首頁', 'Back to the service'))}</a></p>`,
          ),
        );
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, failurePage(failureOf(error)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://${options.publicHost ?? 'localhost'}:${port}`;
  client = createServiceClient({
    issuer: options.platformUrl,
    clientId: service.id,
    signingKey: options.keys.signingKey,
    encryptionKey: options.keys.encryptionKey,
    redirectUri: `${base}/callback`,
  });

  return {
    serviceId: service.id,
    url: base,
    redirectUri: `${base}/callback`,
    webhookUrl: `${base}/webhook`,
    publicJwks: options.keys.publicJwks,
    events: () => events,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
