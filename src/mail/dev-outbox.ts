import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from '../logger';
import { toNodemailer, type Mailer } from './mail-message';

/**
 * Development without an SMTP server: each message is rendered by nodemailer exactly as it would be
 * sent and written as an `.eml` file any mail client opens. The file is named after the message ID,
 * so a message sent again overwrites its own file instead of adding a copy.
 */
export function createDevOutbox(dir: string, from: string, logger: Logger): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }, { from });
  const folder = path.resolve(dir);
  return {
    target: `outbox ${folder}`,
    async send(mail) {
      const info = await transport.sendMail(toNodemailer(mail));
      await fs.mkdir(folder, { recursive: true });
      const file = path.join(folder, `${mail.messageId.replace(/^<|>$/g, '').replace(/[^\w.@-]/g, '_')}.eml`);
      // Write then rename: a reader never sees half a message.
      await fs.writeFile(`${file}.tmp`, info.message as Buffer);
      await fs.rename(`${file}.tmp`, file);
      logger.info({ file }, 'mail written to the dev outbox');
      return { messageId: info.messageId, accepted: [mail.to.address], response: `written to ${file}`, file };
    },
    async close() {
      transport.close();
    },
  };
}
