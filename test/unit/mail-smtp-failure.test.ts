import { describeSmtpFailure, isInvalidRecipient, isPermanentSmtpFailure } from '../../src/mail/smtp-failure';

/** Error shapes as nodemailer produces them (code, command, responseCode, response). */
const smtp = (code: string, command: string, responseCode?: number, response?: string) =>
  Object.assign(new Error('smtp'), { code, command, responseCode, response });

describe('SMTP failure classification', () => {
  test.each([
    ['550 on RCPT TO (no such mailbox)', smtp('EENVELOPE', 'RCPT TO', 550, '550 5.1.1 No such user'), true],
    ['553 on RCPT TO (bad address)', smtp('EENVELOPE', 'RCPT TO', 553, '553 5.1.3 Bad address'), true],
    ['554 after DATA (message refused)', smtp('EMESSAGE', 'DATA', 554, '554 5.7.1 Rejected'), true],
    ['451 on RCPT TO (greylisting)', smtp('EENVELOPE', 'RCPT TO', 451, '451 4.7.1 Try later'), false],
    ['452 on RCPT TO (mailbox full)', smtp('EENVELOPE', 'RCPT TO', 452, '452 4.2.2 Full'), false],
    ['421 (server closing)', smtp('EENVELOPE', 'RCPT TO', 421, '421 4.3.2 Shutting down'), false],
    ['503 (bad sequence)', smtp('EENVELOPE', 'RCPT TO', 503, '503 5.5.1 Bad sequence'), false],
    ['535 on AUTH (our credentials)', smtp('EAUTH', 'AUTH PLAIN', 535, '535 5.7.8 Bad credentials'), false],
    ['550 on MAIL FROM (our sender)', smtp('EENVELOPE', 'MAIL FROM', 550, '550 5.7.1 Sender rejected'), false],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }), false],
    ['timeout', Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT' }), false],
  ])('%s → permanent: %s', (_name, err, permanent) => {
    expect(isPermanentSmtpFailure(err)).toBe(permanent);
  });

  test('an address nodemailer cannot use is refused before any SMTP', () => {
    expect(isInvalidRecipient(Object.assign(new Error('Invalid recipient "x"'), { code: 'EENVELOPE', command: 'API' }))).toBe(true);
    expect(isInvalidRecipient(Object.assign(new Error('Invalid sender "x"'), { code: 'EENVELOPE', command: 'API' }))).toBe(false);
  });

  test('the failure reason quotes the server, not the message', () => {
    expect(describeSmtpFailure(smtp('EENVELOPE', 'RCPT TO', 550, '550 5.1.1 No such user'))).toBe(
      'RCPT TO answered 550 5.1.1 No such user',
    );
    expect(describeSmtpFailure(new Error('boom'))).toBe('boom');
  });
});
