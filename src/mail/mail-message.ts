import type { SendMailOptions } from 'nodemailer';

export interface OutgoingMail {
  to: { address: string; name: string | null };
  subject: string;
  text: string;
  html: string;
  /** Deterministic per notification, so a receiving system can recognise a resent copy. */
  messageId: string;
  headers?: Record<string, string>;
  /** An iCalendar object, sent as the `text/calendar; method=…` part calendars act on. */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string };
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  response: string;
  file?: string;
}

export interface Mailer {
  /** Where mail goes, for logs: an SMTP host or the outbox folder. Never includes credentials. */
  readonly target: string;
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): Promise<void>;
}

export function toNodemailer(mail: OutgoingMail): SendMailOptions {
  return {
    to: mail.to.name ? { name: mail.to.name, address: mail.to.address } : mail.to.address,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    headers: mail.headers,
    ...(mail.calendar ? { icalEvent: { method: mail.calendar.method, filename: 'invite.ics', content: mail.calendar.content } } : {}),
  };
}
