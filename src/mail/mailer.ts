import nodemailer from 'nodemailer';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createDevOutbox } from './dev-outbox';
import { toNodemailer, type Mailer } from './mail-message';

export type { Mailer, OutgoingMail, SentMail } from './mail-message';

export interface MailerOptions {
  maxConnections?: number;
}

/** SMTP when SMTP_URL is set; otherwise the dev outbox, one `.eml` file per message. */
export function createMailer(config: Config['mail'], logger: Logger, options: MailerOptions = {}): Mailer {
  return config.smtpUrl ? createSmtpMailer(config.smtpUrl, config.from, options) : createDevOutbox(config.outboxDir, config.from, logger);
}

function createSmtpMailer(url: string, from: string, options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport(
    {
      url,
      // A pooled connection per concurrent job, not one TCP+TLS handshake per message.
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      // Bounded, well inside the job lock BullMQ keeps renewing, so a stuck server fails the attempt.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    },
    { from },
  );
  return {
    target: `smtp ${new URL(url).host}`,
    async send(mail) {
      const info = await transport.sendMail(toNodemailer(mail));
      return { messageId: info.messageId, accepted: info.accepted.map(String), response: info.response };
    },
    async close() {
      transport.close();
    },
  };
}
