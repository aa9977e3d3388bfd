import type { NotificationJobData } from './notification-queue';
import type { Stage } from '../domain/stages';
import { interviewContent } from './interview-content';
import type { MessageContent } from './message-content';

export type { MessageContent } from './message-content';

const STAGE_LABELS: Record<Stage, string> = {
  applied: 'Applied',
  screening: 'Screening',
  interview: 'Interview',
  offer: 'Offer',
  hired: 'Hired',
  rejected: 'Not selected',
};

export function stageLabel(stage: Stage | null): string {
  if (!stage) return '—';
  // A job's own stage: its id read as words (`phone_screen` → "Phone screen").
  return STAGE_LABELS[stage] ?? `${stage.charAt(0).toUpperCase()}${stage.slice(1).replace(/[_-]+/g, ' ')}`;
}

/** The wording of every notification, one case per kind and audience. */
export function notificationContent(d: NotificationJobData): MessageContent {
  const { title, company } = d.job;
  const position = `${title} at ${company}`;
  const candidate = d.candidate.name ?? 'A candidate';
  const greeting = d.recipient.name ? `Hello ${d.recipient.name},` : 'Hello,';
  const facts = (extra: Array<[string, string]> = []): Array<[string, string]> => [
    ['Job', title],
    ['Company', company],
    ...extra,
    ['Date', formatDate(d.at)],
  ];
  // Reasons the kind already tells (an expired offer, a withdrawal) are not repeated as a fact.
  const reason: Array<[string, string]> = d.reason && !['offer_expired', 'withdrawn'].includes(d.reason) ? [['Reason', d.reason]] : [];

  switch (d.kind) {
    case 'application_received':
      return d.audience === 'candidate'
        ? {
            subject: `We received your application for ${position}`,
            greeting,
            paragraphs: [`Thank you for applying for ${position}. We will let you know as your application moves forward.`],
            facts: facts([['Stage', stageLabel(d.to)]]),
          }
        : {
            subject: `New application from ${candidate} for ${title}`,
            greeting,
            paragraphs: [`${candidate} applied for ${position}.`],
            facts: facts([['Candidate', candidate]]),
          };
    case 'stage_changed':
      return {
        subject: `Your application for ${position} moved to ${stageLabel(d.to)}`,
        greeting,
        paragraphs: [`Your application for ${position} has moved from ${stageLabel(d.from)} to ${stageLabel(d.to)}.`],
        facts: facts([['Stage', stageLabel(d.to)], ...reason]),
      };
    case 'final_outcome':
      return finalOutcome(
        d,
        position,
        greeting,
        facts(hired(d) ? [['Stage', stageLabel(d.to)]] : [['Stage', stageLabel(d.to)], ...reason]),
      );
    case 'sla_reminder':
      return {
        subject: `Reminder: ${candidate}'s application for ${title} is waiting in ${stageLabel(d.to)}`,
        greeting,
        paragraphs: [
          `The application from ${candidate} for ${position} has been in ${stageLabel(d.to)} longer than its time limit. Please move it forward or reject it.`,
        ],
        facts: facts([
          ['Candidate', candidate],
          ['Stage', stageLabel(d.to)],
        ]),
      };
    case 'offer_expired':
      return d.audience === 'candidate'
        ? {
            subject: `Your offer for ${position} has expired`,
            greeting,
            paragraphs: [`The offer for ${position} has expired without an answer.`],
            facts: facts([['Stage', stageLabel(d.to)], ...reason]),
          }
        : {
            subject: `Offer expired: ${candidate} for ${title}`,
            greeting,
            paragraphs: [`The offer to ${candidate} for ${position} expired without an answer.`],
            facts: facts([['Candidate', candidate], ['Stage', stageLabel(d.to)], ...reason]),
          };
    case 'interview_invitation':
    case 'interview_cancelled':
    case 'scorecard_reminder':
    case 'scorecard_escalation':
      return interviewContent(d);
    case 'pipeline_migrated':
      // Never mailed (it has no audience); worded should a job of it ever be rendered.
      return {
        subject: `Your application for ${position} continues`,
        greeting,
        paragraphs: [`The hiring process for ${position} was updated; your application continues in ${stageLabel(d.to)}.`],
        facts: facts([['Stage', stageLabel(d.to)]]),
      };
  }
}

/** A final outcome is a hire when the stage entered is of kind `hired`, whatever the pipeline calls it. */
const hired = (d: NotificationJobData) => (d.toKind ?? d.to) === 'hired';

function finalOutcome(d: NotificationJobData, position: string, greeting: string, facts: Array<[string, string]>): MessageContent {
  if (hired(d)) {
    return {
      subject: `Congratulations: you are hired for ${position}`,
      greeting,
      paragraphs: [`Congratulations! You have been hired for ${position}. Welcome aboard.`],
      facts,
    };
  }
  if (d.reason === 'withdrawn') {
    return {
      subject: `Your application for ${position} was withdrawn`,
      greeting,
      paragraphs: [`As you asked, your application for ${position} has been withdrawn.`],
      facts,
    };
  }
  return {
    subject: `Your application for ${position}`,
    greeting,
    paragraphs: [`Thank you for your interest in ${position}. We have decided not to move forward with your application.`],
    facts,
  };
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
