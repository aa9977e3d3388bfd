import { applicationWorkflowId, parseApplicationId, workflowUrl } from '../../src/domain/ids';

describe('application ids', () => {
  test('derive from (job, candidate) and parse back', () => {
    const id = applicationWorkflowId('12', '345');
    expect(id).toBe('application-job12-candidate345');
    expect(parseApplicationId(id)).toEqual({ jobId: '12', candidateId: '345' });
  });

  test.each(['application-job12-candidate', 'application-jobx-candidate1', 'job12-candidate3', 'application-job1-candidate2-extra', ''])('reject %p', (id) => {
    expect(parseApplicationId(id)).toBeNull();
  });

  test('link into the Web UI', () => {
    expect(workflowUrl('http://localhost:8233', 'default', 'application-job1-candidate2')).toBe('http://localhost:8233/namespaces/default/workflows/application-job1-candidate2');
  });
});
