import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Language, LocalizedText } from '@mydata/core';
import { Marked, type Tokens } from 'marked';

/**
 * The pages of the developer guide, in the order of its index. Only these files are ever read: the
 * address names a page of this list, never a path. Pages whose file is absent (a capability not in
 * this build) are left out of the index.
 */
export const GUIDE_PAGES: readonly { name: string; title: LocalizedText }[] = [
  {
    name: 'getting-started-service',
    title: {
      'zh-TW': '入門：串接線上服務（沙盒到正式）',
      en: 'Getting started: an online service, sandbox to production',
    },
  },
  {
    name: 'getting-started-data-provider',
    title: { 'zh-TW': '入門：成為資料提供機關', en: 'Getting started: a data provider' },
  },
  {
    name: 'test-personas',
    title: { 'zh-TW': '測試人物與登入方式', en: 'Test personas and how to sign in as them' },
  },
  {
    name: 'service-quickstart',
    title: { 'zh-TW': '服務快速上手（SDK）', en: 'Service quickstart with the SDK' },
  },
  { name: 'provider-quickstart', title: { 'zh-TW': '資料提供機關快速上手', en: 'Data provider quickstart' } },
  { name: 'onboarding', title: { 'zh-TW': '申請上架與審查', en: 'Onboarding: applications and review' } },
  { name: 'protocol', title: { 'zh-TW': '服務介接協定（FAPI 2.0）', en: 'The service protocol (FAPI 2.0)' } },
  { name: 'package', title: { 'zh-TW': '資料包格式', en: 'The data package' } },
  { name: 'webhooks', title: { 'zh-TW': 'Webhook 事件與簽章驗證', en: 'Webhook events and signatures' } },
  { name: 'consent', title: { 'zh-TW': '同意與同意收據', en: 'Consent and consent receipts' } },
  { name: 'multi-person', title: { 'zh-TW': '多人申請', en: 'Multi-person applications' } },
  { name: 'counter', title: { 'zh-TW': '臨櫃核驗', en: 'Counter verification' } },
  { name: 'exchange', title: { 'zh-TW': '機關資料交換', en: 'The agency data exchange' } },
  { name: 'catalogue', title: { 'zh-TW': '資料與服務目錄', en: 'The catalogue' } },
  { name: 'identity', title: { 'zh-TW': '身分驗證', en: 'Identity and sign-in' } },
  { name: 'download', title: { 'zh-TW': '資料下載', en: 'Data download' } },
  { name: 'usage-log', title: { 'zh-TW': '使用紀錄與稽核', en: 'The usage log and its audit' } },
  { name: 'notifications', title: { 'zh-TW': '通知', en: 'Notifications' } },
  { name: 'errors', title: { 'zh-TW': '錯誤代碼', en: 'Error codes' } },
  { name: 'architecture', title: { 'zh-TW': '系統架構', en: 'Architecture' } },
];

const CHROME = {
  'zh-TW': {
    site: 'MyData 個人化資料自主運用平臺',
    guide: '開發者指南',
    skip: '跳到主要內容',
    contents: '目錄',
    portal: '回到入口網站',
    api: 'OpenAPI 規格',
    switchTo: 'English',
    intro:
      '給串接 MyData 的服務提供者與資料提供機關：從沙盒測試到正式上線的步驟、協定、資料包、Webhook 與錯誤代碼。文件內容以英文撰寫。',
    englishNote: '本頁內容以英文撰寫。',
  },
  en: {
    site: 'MyData platform',
    guide: 'Developer guide',
    skip: 'Skip to main content',
    contents: 'Contents',
    portal: 'Back to the portal',
    api: 'OpenAPI description',
    switchTo: '中文',
    intro:
      'For services and data providers integrating with MyData: the steps from sandbox to production, the protocol, the data package, webhooks and error codes.',
    englishNote: '',
  },
} as const;

export const GUIDE_STYLESHEET = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Noto Sans TC","PingFang TC","Microsoft JhengHei",sans-serif;line-height:1.6;color:#1b1b1b;background:#fff}
a{color:#0b4f8a}a:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}.skip:focus{left:.5rem}
header,footer{background:#f2f5f8;padding:.75rem 1rem}
header nav{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center}
header .site{font-weight:700;color:#1b1b1b;text-decoration:none}
.layout{display:flex;flex-wrap:wrap;gap:2rem;max-width:72rem;margin:0 auto;padding:1rem}
.layout>nav{flex:1 1 14rem;max-width:100%}
.layout>nav ol{padding-left:1.25rem;margin:0}
main{flex:3 1 30rem;min-width:0;max-width:100%}
pre,.table-scroll{overflow-x:auto;max-width:100%}
pre{background:#f6f8fa;padding:.75rem;border:1px solid #d0d7de}
code{font-family:ui-monospace,Consolas,monospace;font-size:.92em;overflow-wrap:anywhere}
pre code{overflow-wrap:normal}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
[aria-current=page]{font-weight:700}
.note{color:#444}
`;

/** Text as HTML, for element content and attribute values alike. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** The anchor of a heading as GitHub makes it, so that links written for the repository still work. */
export function headingSlug(text: string): string {
  return text
    .toLowerCase()
    .trim()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const PLAIN_ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};
const decodeEntities = (html: string) =>
  html.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => PLAIN_ENTITIES[e] ?? e);

/**
 * Where a link of a doc leads in the guide: another page of the guide by its `/developers/<name>`
 * address, an absolute https/http/mailto address as is, an anchor of the same page; anything else
 * (a file of the repository the guide does not serve, a script) is no link at all.
 */
export function guideHref(href: string, pages: ReadonlySet<string>): string | undefined {
  if (href.startsWith('#')) return href;
  if (/^(https?:|mailto:)/i.test(href)) return href;
  const m = /^(?:\.\/|docs\/)?([a-z0-9-]+)\.md(#[^\s]*)?$/.exec(href);
  if (m?.[1] && pages.has(m[1])) return `/developers/${m[1]}${m[2] ?? ''}`;
  return undefined;
}

/** Renders one doc's Markdown to HTML: raw HTML in it is shown as text, links are rewritten for the guide. */
export function renderDoc(markdown: string, pages: ReadonlySet<string>): string {
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    renderer: {
      html({ text }: Tokens.HTML | Tokens.Tag) {
        return escapeHtml(text);
      },
      heading({ tokens, depth }: Tokens.Heading) {
        const inner = this.parser.parseInline(tokens);
        return `<h${depth} id="${escapeHtml(headingSlug(decodeEntities(inner)))}">${inner}</h${depth}>\n`;
      },
      link({ href, title, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens);
        const target = guideHref(href, pages);
        if (target === undefined) return `<span class="unlinked">${inner}</span>`;
        const external = /^https?:/i.test(target);
        return `<a href="${escapeHtml(target)}"${title ? ` title="${escapeHtml(title)}"` : ''}${
          external ? ' rel="noopener noreferrer"' : ''
        }>${inner}</a>`;
      },
      image({ text }: Tokens.Image) {
        // Images are not served by the guide; their description stands in for them.
        return escapeHtml(text);
      },
      code({ text, lang }: Tokens.Code) {
        const cls = lang && /^[\w-]+$/.test(lang) ? ` class="language-${lang}"` : '';
        return `<pre tabindex="0"><code${cls}>${escapeHtml(text)}</code></pre>\n`;
      },
      table(token: Tokens.Table) {
        const cell = (c: Tokens.TableCell, tag: 'th' | 'td') =>
          `<${tag}${tag === 'th' ? ' scope="col"' : ''}>${this.parser.parseInline(c.tokens)}</${tag}>`;
        const head = `<tr>${token.header.map((c) => cell(c, 'th')).join('')}</tr>`;
        const body = token.rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('\n');
        return `<div class="table-scroll" tabindex="0"><table><thead>${head}</thead><tbody>${body}</tbody></table></div>\n`;
      },
    },
  });
  return marked.parse(markdown) as string;
}

/** The guide over a docs folder: which pages exist, and each page's HTML in the reader's language. */
export function createGuide(docsDir: string) {
  const available = GUIDE_PAGES.filter((p) => existsSync(join(docsDir, `${p.name}.md`)));
  const names = new Set(available.map((p) => p.name));
  const cache = new Map<string, string>();

  const pageHtml = (o: { lang: Language; title: string; path: string; current?: string; body: string }) => {
    const c = CHROME[o.lang];
    const other: Language = o.lang === 'zh-TW' ? 'en' : 'zh-TW';
    const nav = available
      .map(
        (p) =>
          `<li><a href="/developers/${p.name}?lang=${o.lang}"${p.name === o.current ? ' aria-current="page"' : ''}>${escapeHtml(p.title[o.lang])}</a></li>`,
      )
      .join('\n');
    return `<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${o.title} – ${c.guide} – ${c.site}`)}</title>
<link rel="stylesheet" href="/developers/guide.css">
</head>
<body>
<a class="skip" href="#main">${c.skip}</a>
<header>
<nav aria-label="${c.site}">
<a class="site" href="/">${c.site}</a>
<a href="/developers?lang=${o.lang}">${c.guide}</a>
<a href="/">${c.portal}</a>
<a href="${o.path}?lang=${other}" lang="${other}" hreflang="${other}">${c.switchTo}</a>
</nav>
</header>
<div class="layout">
<nav aria-labelledby="contents-title">
<h2 id="contents-title">${c.contents}</h2>
<ol>
${nav}
</ol>
</nav>
<main id="main" tabindex="-1">
${o.body}
</main>
</div>
<footer>
<p><a href="/openapi.json">${c.api}</a></p>
</footer>
</body>
</html>
`;
  };

  return {
    /** The pages of this build's guide, in index order. */
    pages: available,

    /** The index page, in `lang`. */
    index(lang: Language): string {
      const c = CHROME[lang];
      const items = available
        .map((p) => `<li><a href="/developers/${p.name}?lang=${lang}">${escapeHtml(p.title[lang])}</a></li>`)
        .join('\n');
      return pageHtml({
        lang,
        title: c.guide,
        path: '/developers',
        body: `<h1>${c.guide}</h1>\n<p>${c.intro}</p>\n<ul>\n${items}\n</ul>`,
      });
    },

    /** One page in `lang` chrome, or undefined when the guide has no page of that name. */
    page(name: string, lang: Language): string | undefined {
      const page = available.find((p) => p.name === name);
      if (!page) return undefined;
      let body = cache.get(name);
      if (body === undefined) {
        body = renderDoc(readFileSync(join(docsDir, `${name}.md`), 'utf8'), names);
        cache.set(name, body);
      }
      const note = CHROME[lang].englishNote ? `<p class="note">${CHROME[lang].englishNote}</p>\n` : '';
      return pageHtml({
        lang,
        title: page.title[lang],
        path: `/developers/${name}`,
        current: name,
        body: `${note}<article lang="en">\n${body}</article>`,
      });
    },
  };
}

export type Guide = ReturnType<typeof createGuide>;
