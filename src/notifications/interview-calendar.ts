import ical, { ICalCalendarMethod, ICalEventStatus, type ICalOrganizer } from 'ical-generator';
import type { NotificationJobData } from './notification-queue';

/** An iCalendar object to send as the message's `text/calendar` part. */
export interface CalendarPart {
  method: 'REQUEST' | 'CANCEL';
  content: string;
}

export interface CalendarOptions {
  /** MAIL_FROM, as `Name <address>` or a bare address: the organizer calendars reply to. */
  organizer: string;
  /** The UID's right-hand side, as in Message-IDs. */
  domain: string;
}

/** `ATS <no-reply@ats.example>` → `{ name: 'ATS', email: 'no-reply@ats.example' }`. */
export function organizerOf(from: string): ICalOrganizer {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(from);
  return match ? { name: match[1] || match[2], email: match[2] } : { name: from.trim(), email: from.trim() };
}

/**
 * The invitation (`METHOD:REQUEST`) or its cancellation (`METHOD:CANCEL`) an interview message carries;
 * none for reminders and escalations. Every copy of one interview has the same `UID` and its revision as
 * `SEQUENCE`, so a calendar replaces the earlier copy. The candidate's event holds the time, title and
 * location only; staff's describe whom and what for.
 */
export function interviewCalendar(d: NotificationJobData, options: CalendarOptions): CalendarPart | undefined {
  const interview = d.interview;
  if (!interview || (d.kind !== 'interview_invitation' && d.kind !== 'interview_cancelled')) return undefined;
  const method = d.kind === 'interview_cancelled' ? 'CANCEL' : 'REQUEST';
  const calendar = ical({
    prodId: { company: 'ATS', product: 'Interviews', language: 'EN' },
    method: method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  const description =
    d.audience === 'candidate'
      ? null
      : [
          `Candidate: ${(interview.candidateIncluded && d.candidate.name) || 'the candidate'}`,
          `Job: ${d.job.title} at ${d.job.company}`,
          ...(interview.interviewers?.length ? [`Interviewers: ${interview.interviewers.join(', ')}`] : []),
        ].join('\n');
  calendar.createEvent({
    id: `${interview.id}@${options.domain}`,
    sequence: interview.revision,
    // The notice's time, not the sending's: a message sent again carries the same calendar.
    stamp: new Date(d.at),
    start: new Date(interview.startsAt),
    end: new Date(interview.endsAt),
    summary: interview.title,
    location: interview.location,
    description,
    organizer: organizerOf(options.organizer),
    // RFC 5546 wants the invitee named in a REQUEST; each copy names only its own recipient.
    attendees: [{ email: d.recipient.email, name: d.recipient.name, rsvp: method === 'REQUEST' }],
    status: method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return { method, content: calendar.toString() };
}
