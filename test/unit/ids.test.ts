import { applicationWorkflowId, parseApplicationId, workflowUrl } from '../../src/domain/ids';
import { drawWorkflowIdSuffix } from '../../src/applications/application-claims';

describe('application ids', () => {
  test('derive from (job, candidate) and parse back', () => {
    const id = applicationWorkflowId('12', '345');
    expect(id).toBe('application-job12-candidate345');
    expect(parseApplicationId(id)).toEqual({ jobId: '12', candidateId: '345' });
  });

  test('carry the random part a database drew, and parse back to the same (job, candidate)', () => {
    const id = applicationWorkflowId('12', '345', 'k3v7q2m5za');
    expect(id).toBe('application-job12-candidate345-k3v7q2m5za');
    expect(parseApplicationId(id)).toEqual({ jobId: '12', candidateId: '345' });
  });

  test('random parts: ten letters of lowercase base32, a different one each draw', () => {
    const drawn = Array.from({ length: 1000 }, drawWorkflowIdSuffix);
    for (const suffix of drawn)
      expect(parseApplicationId(applicationWorkflowId('1', '2', suffix))).toEqual({ jobId: '1', candidateId: '2' });
    expect(new Set(drawn).size).toBe(drawn.length);
    // Every letter of the alphabet turns up: no byte value is mapped outside it or left unused.
    expect(new Set(drawn.join('')).size).toBe(32);
  });

  test.each([
    'application-job12-candidate',
    'application-jobx-candidate1',
    'job12-candidate3',
    'application-job1-candidate2-extra',
    '',
    'application-job1-candidate2-K3V7Q2M5ZA',
    'application-job1-candidate2-k3v7q2m5z',
    'application-job1-candidate2-k3v7q2m5zab',
    'application-job1-candidate2-k3v7q2m5z1',
    'application-job1-candidate2-',
    'application-job1-candidate2-k3v7q2m5za-k3v7q2m5za',
  ])('reject %p', (id) => {
    expect(parseApplicationId(id)).toBeNull();
  });

  test('link into the Web UI', () => {
    expect(workflowUrl('http://localhost:8233', 'default', 'application-job1-candidate2')).toBe(
      'http://localhost:8233/namespaces/default/workflows/application-job1-candidate2',
    );
  });
});
