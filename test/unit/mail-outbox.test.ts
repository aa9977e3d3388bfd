import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMailer } from '../../src/mail/mailer';
import { createLogger } from '../../src/logger';
import { parseMail } from '../support/smtp-sink';

describe('dev outbox (no SMTP_URL)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-outbox-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes each message as an .eml file named after its Message-ID; a resend overwrites it', async () => {
    const mailer = createMailer({ from: 'ATS <no-reply@ats.test>', outboxDir: path.join(dir, 'outbox') }, createLogger('silent', 'test'));
    expect(mailer.target).toBe(`outbox ${path.join(dir, 'outbox')}`);
    const mail = {
      to: { address: 'ann@example.com', name: 'Ann Ó' },
      subject: 'Moved to Interview — Acme',
      text: 'Hello Ann,\nStage: Interview\n',
      html: '<p>Hello Ann</p>',
      messageId: '<application-job1-candidate2.3.stage_changed.user2.email@ats.test>',
    };
    const sent = await mailer.send(mail);
    await mailer.send(mail);
    await mailer.close();

    const files = fs.readdirSync(path.join(dir, 'outbox'));
    expect(files).toEqual(['application-job1-candidate2.3.stage_changed.user2.email@ats.test.eml']);
    expect(sent.file).toBe(path.join(dir, 'outbox', files[0]));
    const parsed = parseMail(fs.readFileSync(sent.file!, 'utf8'));
    expect(parsed.subject).toBe('Moved to Interview — Acme');
    expect(parsed.messageId).toBe(mail.messageId);
    expect(parsed.headers.get('from')).toBe('ATS <no-reply@ats.test>');
    expect(parsed.headers.get('to')).toContain('ann@example.com');
    expect(parsed.text).toContain('Stage: Interview');
    expect(parsed.html).toContain('<p>Hello Ann</p>');
  });
});
