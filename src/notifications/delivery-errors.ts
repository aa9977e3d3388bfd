import { UnrecoverableError } from 'bullmq';

/** The SMTP server refused this message for good (bad mailbox, invalid address): BullMQ fails the job at once. */
export class PermanentDeliveryError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/** The attempt failed in a way a later attempt may not (4xx reply, network): BullMQ retries with backoff. */
export class TransientDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientDeliveryError';
  }
}
