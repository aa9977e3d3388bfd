import type { NotificationJobData } from './notification-queue';
import { escapeHtml, oneLine } from './html';
import { notificationContent, type MessageContent } from './notification-content';
import { interviewCalendar, type CalendarOptions, type CalendarPart } from './interview-calendar';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  /** An interview's invitation or cancellation, for calendars. */
  calendar?: CalendarPart;
}

const SIGNATURE = 'The hiring team';

/**
 * Plain-text and HTML bodies of one notification, with every interpolated value escaped for HTML, and
 * for an interview's invitation or cancellation its iCalendar part (`calendar`: the organizer and UID domain).
 */
export function renderNotification(
  data: NotificationJobData,
  calendar: CalendarOptions = { organizer: 'no-reply@ats.local', domain: 'ats.local' },
): RenderedMessage {
  const content = notificationContent(data);
  const rendered: RenderedMessage = { subject: oneLine(content.subject), text: toText(content), html: toHtml(content) };
  const ics = interviewCalendar(data, calendar);
  return ics ? { ...rendered, calendar: ics } : rendered;
}

function toText(c: MessageContent): string {
  const width = Math.max(...c.facts.map(([label]) => label.length)) + 1;
  const facts = c.facts.map(([label, value]) => `${`${label}:`.padEnd(width)} ${oneLine(value, 1000)}`);
  return [c.greeting, '', ...c.paragraphs.flatMap((p) => [p, '']), ...facts, '', `— ${SIGNATURE}`, ''].join('\n');
}

function toHtml(c: MessageContent): string {
  const rows = c.facts.map(
    ([label, value]) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
  );
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(oneLine(c.subject))}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5">',
    `<p>${escapeHtml(c.greeting)}</p>`,
    ...c.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<table>${rows.join('')}</table>`,
    `<p>— ${escapeHtml(SIGNATURE)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
}
