import { describe, expect, it } from 'vitest';
import {
  APPLICATION_ENDED_TEMPLATE,
  APPLICATION_INVITATION_TEMPLATE,
  isApplicationTemplate,
  renderApplicationMessage,
} from './templates.ts';

const params = {
  at: '2026-11-24T08:00:00.000Z',
  service: '身心障礙者專用停車位識別證申請（屏東縣政府）',
  link: 'https://mydata.example/invitations/abc',
  expiresAt: '2026-11-27T08:00:00.000Z',
};

describe('Multi-person application messages', () => {
  it('invites in both languages with the link and the deadline, naming the service only', () => {
    const mail = renderApplicationMessage(APPLICATION_INVITATION_TEMPLATE, 'email', params, 'https://x/log');
    expect(mail.subject).toContain('MyData');
    expect(mail.text).toContain(params.link);
    expect(mail.text).toContain(params.service);
    expect(mail.text).toContain('Sign in as yourself');
    const sms = renderApplicationMessage(APPLICATION_INVITATION_TEMPLATE, 'sms', params, 'https://x/log');
    expect(sms.text).toContain(params.link);
    // An SMS names no service, dataset or person.
    expect(sms.text).not.toContain('停車');
  });

  it('says why an application ended, and that nothing was sent', () => {
    const mail = renderApplicationMessage(
      APPLICATION_ENDED_TEMPLATE,
      'email',
      { ...params, reason: 'party-expired' },
      'https://x/log',
    );
    expect(mail.text).toContain('未在期限內回應');
    expect(mail.text).toContain('nothing was sent');
    expect(isApplicationTemplate(APPLICATION_ENDED_TEMPLATE)).toBe(true);
    expect(isApplicationTemplate('transfer')).toBe(false);
  });
});
