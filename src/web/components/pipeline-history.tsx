import { useEffect, useState } from 'preact/hooks';
import { api, type Pipeline } from '../api/client';

/** Every version of a job's pipeline, newest first, read one by one (`GET …/pipeline?version=`). */
export async function pipelineVersions(jobId: string, latest: number): Promise<Pipeline[]> {
  const versions = await Promise.all(
    Array.from({ length: latest }, (_, i) =>
      api.GET('/api/jobs/{id}/pipeline', { params: { path: { id: jobId }, query: { version: i + 1 } } }).then((r) => r.data),
    ),
  );
  return versions.filter((v): v is Pipeline => Boolean(v)).reverse();
}

/** The versions a job's pipeline went through, so whoever edits or migrates sees what each had. */
export function PipelineHistory({ jobId, latest }: { jobId: string; latest: number }) {
  const [versions, setVersions] = useState<Pipeline[] | null>(null);
  useEffect(() => {
    void pipelineVersions(jobId, latest).then(setVersions);
  }, [jobId, latest]);
  return (
    <section class="panel" aria-labelledby="versions">
      <h2 id="versions">Versions</h2>
      {versions === null ? (
        <p role="status">Loading…</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Published</th>
                <th scope="col">Stages</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <th scope="row">{v.version}</th>
                  <td>{new Date(v.createdAt).toLocaleString()}</td>
                  <td>{v.stages.map((s) => `${s.name} (${s.kind})`).join(' → ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
