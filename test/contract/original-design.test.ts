import { seedSampleData } from '../../src/accounts/seed';
import { bundleWorkflows } from '../support/applications';
import { startStack, type TestStack } from '../support/stack';
import { sendOriginalDesignRequests } from '../support/original-design';

/** The original (FastAPI) design's requests against a fresh database where the sample data was seeded. */
describe('a client written for the original design', () => {
  let stack: TestStack;
  let seeded: Awaited<ReturnType<typeof seedSampleData>>;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    seeded = await seedSampleData(stack.services);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  test('signs up, logs in, lists jobs, creates a job, applies, reads and moves the application', async () => {
    await sendOriginalDesignRequests(stack.url, seeded.recruiter);
  }, 60_000);
});
