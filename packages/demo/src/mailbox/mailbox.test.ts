import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mailbox, startMailbox } from './index.ts';

describe('The demo mailbox', () => {
  let mailbox: Mailbox;
  beforeAll(async () => {
    mailbox = await startMailbox();
  });
  afterAll(() => mailbox.close());

  const postSms = (body: unknown) =>
    fetch(mailbox.smsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('takes SMS like a gateway, once per id, and refuses malformed ones', async () => {
    expect(
      (await postSms({ id: 'n1', to: '0912345678', text: '【MyData】您的個人資料已被下載。' })).status,
    ).toBe(202);
    expect(
      (await postSms({ id: 'n1', to: '0912345678', text: '【MyData】您的個人資料已被下載。' })).status,
    ).toBe(202);
    expect((await postSms({ id: 'n2', to: 42 })).status).toBe(400);
    expect((await fetch(mailbox.smsUrl, { method: 'POST', body: 'not json' })).status).toBe(400);
    expect(mailbox.messages().filter((m) => m.kind === 'sms')).toHaveLength(1);
  });

  it('lists what arrived on its page, escaped', async () => {
    await postSms({ id: 'n3', to: '<script>', text: 'a & b' });
    const html = await (await fetch(mailbox.url)).text();
    expect(html).toContain('示範信箱');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    const json = (await (await fetch(mailbox.url.replace(/\/$/, '/messages'))).json()) as {
      messages: unknown[];
    };
    expect(json.messages).toHaveLength(2);
  });
});
