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
      const file = path.join(folder, `${fileNameOf(mail.messageId.replace(/^<|>$/g, ''))}.eml`);
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

const fileNameOf = (text: string) => text.replace(/[^\w.@-]/g, '_');

/**
 * Erasure: deletes the outbox's messages about these applications (to the candidate, and to
 * staff naming them). A notification's Message-ID, and so its file name, begins with the application's
 * id whenever it names the candidate (see notificationJobId). Returns how many files went.
 */
export async function deleteOutboxFilesAbout(dir: string, applicationIds: readonly string[]): Promise<number> {
  const folder = path.resolve(dir);
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const prefixes = applicationIds.map((id) => `${fileNameOf(id.replace(/:/g, '_'))}.`);
  const doomed = names.filter((name) => prefixes.some((p) => name.startsWith(p)));
  await Promise.all(doomed.map((name) => fs.rm(path.join(folder, name), { force: true })));
  return doomed.length;
}
