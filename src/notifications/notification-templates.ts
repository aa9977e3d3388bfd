import type { NotificationJobData } from './notification-queue';
import { escapeHtml, oneLine } from './html';
import { notificationContent, type MessageContent } from './notification-content';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

const SIGNATURE = 'The hiring team';

/** Plain-text and HTML bodies of one notification, with every interpolated value escaped for HTML. */
export function renderNotification(data: NotificationJobData): RenderedMessage {
  const content = notificationContent(data);
  return { subject: oneLine(content.subject), text: toText(content), html: toHtml(content) };
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
