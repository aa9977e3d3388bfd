import { renderNotification } from '../../src/notifications/notification-templates';
import { escapeHtml, oneLine } from '../../src/notifications/html';
import type { NotificationJobData } from '../../src/notifications/notification-queue';

function data(overrides: Partial<NotificationJobData>): NotificationJobData {
  return {
    kind: 'stage_changed',
    channel: 'email',
    applicationId: 'application-job1-candidate2',
    seq: 2,
    at: '2026-11-24T10:05:00.000Z',
    audience: 'candidate',
    recipient: { id: '2', email: 'ann@example.com', name: 'Ann' },
    job: { id: '1', title: 'Backend Engineer', company: 'Acme' },
    candidate: { id: '2', name: 'Ann' },
    from: 'applied',
    to: 'screening',
    reason: null,
    ...overrides,
  };
}

describe('notification templates', () => {
  const recruiter = { audience: 'recruiter' as const, recipient: { id: '9', email: 'rita@example.com', name: 'Rita' } };
  test.each([
    [
      'application received, candidate',
      data({ kind: 'application_received', from: null, to: 'applied' }),
      'We received your application for Backend Engineer at Acme',
      ['Thank you for applying'],
    ],
    [
      'application received, recruiter',
      data({ kind: 'application_received', from: null, to: 'applied', ...recruiter }),
      'New application from Ann for Backend Engineer',
      ['Ann applied for Backend Engineer at Acme'],
    ],
    ['stage changed', data({}), 'Your application for Backend Engineer at Acme moved to Screening', ['from Applied to Screening']],
    [
      'hired',
      data({ kind: 'final_outcome', from: 'offer', to: 'hired' }),
      'Congratulations: you are hired for Backend Engineer at Acme',
      [/Stage:\s+Hired/],
    ],
    [
      'hired, in a pipeline whose last stage has its own id',
      data({ kind: 'final_outcome', from: 'offer', to: 'joined', toKind: 'hired', reason: null }),
      'Congratulations: you are hired for Backend Engineer at Acme',
      ['Welcome aboard'],
    ],
    [
      'rejected with reason',
      data({ kind: 'final_outcome', from: 'interview', to: 'rejected', reason: 'Position filled' }),
      'Your application for Backend Engineer at Acme',
      ['not to move forward', /Reason:\s+Position filled/],
    ],
    [
      'withdrawn',
      data({ kind: 'final_outcome', from: 'screening', to: 'rejected', reason: 'withdrawn' }),
      'Your application for Backend Engineer at Acme was withdrawn',
      ['has been withdrawn'],
    ],
    [
      'SLA reminder',
      data({ kind: 'sla_reminder', from: null, to: 'interview', ...recruiter }),
      "Reminder: Ann's application for Backend Engineer is waiting in Interview",
      ['longer than its time limit'],
    ],
    [
      'offer expired, candidate',
      data({ kind: 'offer_expired', from: null, to: 'offer' }),
      'Your offer for Backend Engineer at Acme has expired',
      ['expired without an answer'],
    ],
    [
      'offer expired, recruiter',
      data({ kind: 'offer_expired', from: null, to: 'offer', ...recruiter }),
      'Offer expired: Ann for Backend Engineer',
      ['The offer to Ann'],
    ],
  ])('%s', (_name, input, subject, phrases) => {
    const message = renderNotification(input);
    expect(message.subject).toBe(subject);
    for (const phrase of phrases) expect(message.text).toMatch(phrase);
    expect(message.text).toMatch(/\nDate: +2026-11-24 10:05 UTC\n/);
    expect(message.html).toContain('<th align="left" style="padding:2px 12px 2px 0">Job</th><td>Backend Engineer</td>');
  });

  test('user-supplied values are escaped in HTML and kept on one line in the subject', () => {
    const message = renderNotification(
      data({
        job: { id: '1', title: '<script>alert("x")</script>', company: "O'Reilly & Sons" },
        recipient: { id: '2', email: 'a@example.com', name: 'Ann\r\nBcc: victim@example.com' },
        kind: 'final_outcome',
        to: 'rejected',
        reason: '<img src=x onerror=alert(1)>',
      }),
    );
    expect(message.html).not.toMatch(/<script>|<img/);
    expect(message.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(message.html).toContain('O&#39;Reilly &amp; Sons');
    expect(message.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(message.subject).not.toMatch(/[\r\n]/);
    expect(message.text).toContain('<script>alert("x")</script>');
  });

  test('a missing name falls back to a neutral greeting', () => {
    expect(renderNotification(data({ recipient: { id: '2', email: 'a@example.com', name: null } })).text.startsWith('Hello,\n')).toBe(true);
    expect(renderNotification(data({ kind: 'sla_reminder', candidate: { id: '2', name: null }, ...recruiter })).subject).toContain(
      'A candidate',
    );
  });

  test('helpers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(oneLine('a\r\n\tb   c')).toBe('a b c');
    expect(oneLine('x'.repeat(300))).toHaveLength(200);
  });
});
