/** What nodemailer attaches to an error when the SMTP server answered with a reply code. */
interface SmtpErrorFields {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
}

/**
 * A 5xx reply to this message's recipient or content (550 no such mailbox, 553 bad address, 554
 * rejected) will be the same on every retry. A 5xx to MAIL FROM or AUTH is our configuration, not
 * this message: those, 4xx replies and network errors are worth retrying. 503 is a session-state
 * error and retryable, as RFC 5321 and nodemailer both treat it.
 */
export function isPermanentSmtpFailure(err: unknown): boolean {
  const e = (err ?? {}) as SmtpErrorFields;
  const code = e.responseCode;
  if (typeof code !== 'number' || code < 500 || code >= 600 || code === 503) return false;
  return (e.code === 'EENVELOPE' && (e.command === 'RCPT TO' || e.command === 'DATA')) || e.code === 'EMESSAGE';
}

/** Nodemailer refuses some recipients before talking to the server (an address it cannot parse). */
export function isInvalidRecipient(err: unknown): boolean {
  const e = (err ?? {}) as SmtpErrorFields & { message?: string };
  return e.code === 'EENVELOPE' && e.command === 'API' && /recipient/i.test(e.message ?? '');
}

/** One line for logs and for the job's failure reason: the server's reply, never message content. */
export function describeSmtpFailure(err: unknown): string {
  const e = (err ?? {}) as SmtpErrorFields & { message?: string };
  return e.response ? `${e.command ?? 'SMTP'} answered ${e.response}` : (e.message ?? String(err));
}
