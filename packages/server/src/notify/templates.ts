import type { Language, NotifiedEvent } from '@mydata/core';

/** What a producer may put into a notification; names are already in the citizen's language. */
export interface NotificationParams {
  /** When it happened (ISO 8601). */
  at: string;
  /** The service (and its provider) that received the data. */
  service?: string;
  /** The datasets involved, by name. */
  datasets?: string[];
  /** The sign-in method that was added. */
  method?: string;
  /** A one-time sign-in code (template `one-time-code` only); sealed in the outbox like the address. */
  code?: string;
  /** When the one-time code stops working (ISO 8601); a message not sent by then is dropped. */
  expiresAt?: string;
  /** Multi-person applications: the invitation's address. */
  link?: string;
  /** Multi-person applications: why the application ended (party-declined, party-expired). */
  reason?: string;
}

/** The SMS that carries a sign-in one-time code (行動化驗證): not a usage-log event, never an e-mail. */
export const ONE_TIME_CODE_TEMPLATE = 'one-time-code';
/** The invitation to consent to a multi-person application (docs/multi-person.md), sent to the contact the applicant gave. */
export const APPLICATION_INVITATION_TEMPLATE = 'application-invitation';
/** A multi-person application ended because a party declined or an invitation expired. */
export const APPLICATION_ENDED_TEMPLATE = 'application-ended';
/** What an outbox row renders: an event citizens are told of, a one-time code, or an application message. */
export type MessageTemplate =
  | NotifiedEvent
  | typeof ONE_TIME_CODE_TEMPLATE
  | typeof APPLICATION_INVITATION_TEMPLATE
  | typeof APPLICATION_ENDED_TEMPLATE;

export interface RenderedEmail {
  subject: string;
  text: string;
}

interface Wording {
  /** One short line of what happened, with no personal data: it is all an SMS says. */
  headline: string;
  subject: string;
  /** The e-mail body's first paragraph; may name the service, datasets and method. */
  body: (p: NotificationParams, time: string) => string;
}

const list = (items: string[] | undefined, lang: Language) =>
  items?.length
    ? items.join(lang === 'zh-TW' ? '、' : ', ')
    : lang === 'zh-TW'
      ? '（未列出）'
      : '(not listed)';

const WORDING: Record<NotifiedEvent, Record<Language, Wording>> = {
  download: {
    'zh-TW': {
      headline: '您的個人資料已被下載',
      subject: 'MyData 通知：您的個人資料已下載',
      body: (p, t) => `您於 ${t} 透過 MyData 下載了以下資料：${list(p.datasets, 'zh-TW')}。`,
    },
    en: {
      headline: 'Your personal data was downloaded',
      subject: 'MyData: your personal data was downloaded',
      body: (p, t) => `On ${t} you downloaded the following data through MyData: ${list(p.datasets, 'en')}.`,
    },
  },
  transfer: {
    'zh-TW': {
      headline: '您的個人資料已依您的同意傳送',
      subject: 'MyData 通知：您的個人資料已傳送給服務提供者',
      body: (p, t) =>
        `依您的同意，MyData 於 ${t} 將以下資料傳送給「${p.service ?? '服務提供者'}」：${list(p.datasets, 'zh-TW')}。`,
    },
    en: {
      headline: 'Your personal data was sent with your consent',
      subject: 'MyData: your personal data was sent to a service',
      body: (p, t) =>
        `With your consent, MyData sent the following data to "${p.service ?? 'a service provider'}" on ${t}: ${list(p.datasets, 'en')}.`,
    },
  },
  'counter-redemption': {
    'zh-TW': {
      headline: '您的資料已於臨櫃核驗',
      subject: 'MyData 通知：您的資料已於臨櫃核驗',
      body: (p, t) =>
        `「${p.service ?? '臨櫃服務'}」於 ${t} 核驗了您同意提供的資料：${list(p.datasets, 'zh-TW')}。`,
    },
    en: {
      headline: 'Your data was verified at a counter',
      subject: 'MyData: your data was verified at a counter',
      body: (p, t) =>
        `"${p.service ?? 'A counter service'}" verified the data you consented to share on ${t}: ${list(p.datasets, 'en')}.`,
    },
  },
  'consent-withdrawn': {
    'zh-TW': {
      headline: '您已撤回一項同意',
      subject: 'MyData 通知：您已撤回同意',
      body: (p, t) => `您於 ${t} 撤回了對「${p.service ?? '服務提供者'}」的同意，該服務不會再取得您的資料。`,
    },
    en: {
      headline: 'You withdrew a consent',
      subject: 'MyData: you withdrew a consent',
      body: (p, t) =>
        `On ${t} you withdrew your consent to "${p.service ?? 'a service provider'}"; it will receive no more of your data.`,
    },
  },
  'method-enrolled': {
    'zh-TW': {
      headline: '您的帳號新增了登入方式',
      subject: 'MyData 通知：新增登入方式',
      body: (p, t) =>
        `您的 MyData 帳號於 ${t} 新增了登入方式：${p.method ?? '（未列出）'}。若不是您本人操作，請立即聯絡客服。`,
    },
    en: {
      headline: 'A sign-in method was added to your account',
      subject: 'MyData: a sign-in method was added',
      body: (p, t) =>
        `A sign-in method was added to your MyData account on ${t}: ${p.method ?? '(not listed)'}. If this was not you, contact support at once.`,
    },
  },
  lockout: {
    'zh-TW': {
      headline: '您的帳號因多次登入失敗已暫時鎖定',
      subject: 'MyData 通知：帳號已暫時鎖定',
      body: (_p, t) => `您的 MyData 帳號於 ${t} 因多次登入失敗而暫時鎖定。若不是您本人操作，請聯絡客服。`,
    },
    en: {
      headline: 'Your account was locked after failed sign-ins',
      subject: 'MyData: your account was locked',
      body: (_p, t) =>
        `Your MyData account was locked on ${t} after several failed sign-ins. If this was not you, contact support.`,
    },
  },
  // Sent to the old addresses, so a citizen whose account was taken over hears of it where they still read.
  'contact-changed': {
    'zh-TW': {
      headline: '您的通知聯絡方式已變更',
      subject: 'MyData 通知：通知聯絡方式已變更',
      body: (_p, t) =>
        `您的 MyData 帳號於 ${t} 變更了接收通知的電子郵件或手機號碼，之後的通知會寄到新的聯絡方式。若不是您本人操作，請立即聯絡客服。`,
    },
    en: {
      headline: 'Your notification contact details were changed',
      subject: 'MyData: your notification contact details were changed',
      body: (_p, t) =>
        `The e-mail address or mobile number for notifications of your MyData account was changed on ${t}; notifications now go to the new details. If this was not you, contact support at once.`,
    },
  },
};

function formatTime(iso: string, lang: Language): string {
  return new Intl.DateTimeFormat(lang === 'zh-TW' ? 'zh-TW' : 'en-GB', {
    timeZone: 'Asia/Taipei',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(iso));
}

/** The e-mail for an event, in the citizen's language, ending with where to read the usage log. */
export function renderEmail(
  template: NotifiedEvent,
  lang: Language,
  params: NotificationParams,
  link: string,
): RenderedEmail {
  const w = WORDING[template][lang];
  const footer =
    lang === 'zh-TW'
      ? `完整的使用紀錄請至：${link}\n\n此信由 MyData 個人化資料自主運用平臺自動寄出，請勿直接回覆。`
      : `Read your full usage log at: ${link}\n\nThis message was sent automatically by the MyData platform; please do not reply.`;
  return { subject: w.subject, text: `${w.body(params, formatTime(params.at, lang))}\n\n${footer}\n` };
}

/** The SMS for an event: what happened and a link, never personal data (no names, datasets or times). */
export function renderSms(template: NotifiedEvent, lang: Language, link: string): string {
  return lang === 'zh-TW'
    ? `【MyData】${WORDING[template]['zh-TW'].headline}。詳情：${link}`
    : `[MyData] ${WORDING[template].en.headline}. Details: ${link}`;
}

/**
 * The SMS with a sign-in code. Its last line is an origin-bound one-time code (`@host #code`, the
 * WebOTP format): browsers offer to fill the code only on the platform's own site, so a look-alike
 * site cannot have it autofilled.
 */
export function renderOneTimeCodeSms(lang: Language, params: NotificationParams, link: string): string {
  const code = params.code ?? '';
  const minutes = params.expiresAt
    ? Math.max(1, Math.round((new Date(params.expiresAt).getTime() - new Date(params.at).getTime()) / 60_000))
    : 5;
  const bound = `@${new URL(link).hostname} #${code}`;
  return lang === 'zh-TW'
    ? `【MyData】您的登入驗證碼為 ${code}，${minutes} 分鐘內有效。請勿將驗證碼告訴任何人，平臺人員不會向您索取。\n\n${bound}`
    : `[MyData] Your sign-in code is ${code}, valid for ${minutes} minutes. Never tell anyone this code; platform staff will never ask for it.\n\n${bound}`;
}

/** Whether a template is one of the multi-person application messages. */
export function isApplicationTemplate(
  template: string,
): template is typeof APPLICATION_INVITATION_TEMPLATE | typeof APPLICATION_ENDED_TEMPLATE {
  return template === APPLICATION_INVITATION_TEMPLATE || template === APPLICATION_ENDED_TEMPLATE;
}

/**
 * A multi-person application message, in both languages: the invitee's language is not known, and
 * the address was typed by someone else. It never names the applicant; the SMS names nothing at all.
 */
export function renderApplicationMessage(
  template: typeof APPLICATION_INVITATION_TEMPLATE | typeof APPLICATION_ENDED_TEMPLATE,
  channel: 'email' | 'sms',
  params: NotificationParams,
  fallbackLink: string,
): RenderedEmail {
  const link = params.link ?? fallbackLink;
  if (template === APPLICATION_INVITATION_TEMPLATE) {
    const until = params.expiresAt ? formatTime(params.expiresAt, 'zh-TW') : '';
    const untilEn = params.expiresAt ? formatTime(params.expiresAt, 'en') : '';
    if (channel === 'sms') {
      return {
        subject: '',
        text: `【MyData】有一件申請需要您同意提供資料，請於 ${until} 前登入查看：${link}\n[MyData] An application needs your consent to share data. Sign in by ${untilEn}: ${link}`,
      };
    }
    return {
      subject: 'MyData 邀請：請同意提供申請所需的資料 / MyData: you are asked to consent for an application',
      text: `有人在 MyData 申請「${params.service ?? '服務'}」，並指名由您提供其中一部分資料。請於 ${until} 前以您本人的身分登入，查看申請內容並決定是否同意：\n${link}\n\n若您不認識此申請，請忽略此信；未經您同意，平臺不會提供您的任何資料。\n\nSomeone applied for "${params.service ?? 'a service'}" on MyData and named you to give part of the data it needs. Sign in as yourself by ${untilEn} to read the request and decide whether to consent:\n${link}\n\nIf you do not recognise this application, ignore this message: none of your data is shared without your consent.\n\n此信由 MyData 個人化資料自主運用平臺自動寄出，請勿直接回覆。 This message was sent automatically by the MyData platform; please do not reply.\n`,
    };
  }
  const why =
    params.reason === 'party-expired'
      ? { zh: '有一位共同申請人未在期限內回應', en: 'another party did not answer in time' }
      : { zh: '有一位共同申請人拒絕提供資料', en: 'another party declined to share their data' };
  if (channel === 'sms') {
    return {
      subject: '',
      text: `【MyData】一件多人共同申請已結束，未傳送任何資料。詳情：${link}\n[MyData] A joint application ended; no data was sent. Details: ${link}`,
    };
  }
  return {
    subject: 'MyData 通知：多人共同申請已結束 / MyData: a joint application ended',
    text: `「${params.service ?? '服務'}」的多人共同申請已結束，因為${why.zh}。平臺已刪除為此申請取得的資料，沒有任何資料傳送給服務提供者。如仍需要，請重新申請。\n\nThe joint application for "${params.service ?? 'a service'}" ended because ${why.en}. The platform deleted the data collected for it; nothing was sent to the service. Apply again if you still need it.\n\n完整的使用紀錄請至 / Your usage log: ${fallbackLink}\n`,
  };
}
