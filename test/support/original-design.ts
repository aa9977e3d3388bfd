/**
 * The original (FastAPI) design's requests, as its README and collection send them: snake_case
 * fields, the OAuth2 form login, trailing slashes, company 1. Only the token and the ids are filled
 * in. Run against any API whose database was freshly seeded with the sample data.
 */
export interface OriginalDesignRun {
  applicationId: string;
  candidateToken: string;
  recruiterToken: string;
}

export async function sendOriginalDesignRequests(
  baseUrl: string,
  recruiter: { email: string; password: string },
): Promise<OriginalDesignRun> {
  const send = async (method: string, path: string, init: { token?: string; json?: unknown; form?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = {};
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(baseUrl + path, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  const signup = await send('POST', '/api/auth/signup', {
    json: { email: 'jane@example.com', password: 'secret123', full_name: 'Jane Doe', role: 'candidate' },
  });
  expect(signup).toMatchObject({ status: 201, body: { user: { email: 'jane@example.com', fullName: 'Jane Doe', role: 'candidate' } } });

  // OAuth2PasswordRequestForm: form fields username and password.
  const formLogin = await send('POST', '/api/auth/login', { form: { username: 'jane@example.com', password: 'secret123' } });
  expect(formLogin).toMatchObject({
    status: 200,
    body: { access_token: expect.any(String), token_type: 'bearer', expires_in: expect.any(Number) },
  });
  const jsonLogin = await send('POST', '/api/auth/login', { json: { email: 'jane@example.com', password: 'secret123' } });
  expect(jsonLogin).toMatchObject({ status: 200, body: { access_token: expect.any(String), token_type: 'bearer' } });
  const candidateToken: string = formLogin.body.access_token;

  const jobs = await send('GET', '/api/jobs/', { token: candidateToken });
  expect(jobs.status).toBe(200);
  expect(jobs.body.items.map((j: { title: string }) => j.title)).toEqual(
    expect.arrayContaining(['Backend Developer', 'Frontend Engineer', 'Data Analyst']),
  );

  const recruiterLogin = await send('POST', '/api/auth/login', { form: { username: recruiter.email, password: recruiter.password } });
  expect(recruiterLogin.status).toBe(200);
  const recruiterToken: string = recruiterLogin.body.access_token;
  const job = await send('POST', '/api/jobs/', {
    token: recruiterToken,
    json: { title: 'Python Developer', description: 'FastAPI and SQLAlchemy', company_id: 1, status: 'open' },
  });
  expect(job).toMatchObject({ status: 201, body: { title: 'Python Developer', companyId: '1', company: 'TechCorp', status: 'open' } });

  const applied = await send('POST', `/api/jobs/${job.body.id}/apply`, {
    token: candidateToken,
    json: { resume_url: 'https://example.com/jane.pdf', cover_letter: 'I would love to join.' },
  });
  expect(applied).toMatchObject({
    status: 201,
    body: { stage: 'applied', resumeUrl: 'https://example.com/jane.pdf', coverLetter: 'I would love to join.' },
  });

  const read = await send('GET', `/api/applications/${applied.body.id}`, { token: recruiterToken });
  expect(read).toMatchObject({ status: 200, body: { id: applied.body.id, stage: 'applied' } });

  const moved = await send('PATCH', `/api/applications/${applied.body.id}/stage`, {
    token: recruiterToken,
    json: { stage: 'screening', notes: 'Moving to screening' },
  });
  expect(moved).toMatchObject({ status: 200, body: { stage: 'screening' } });
  expect(moved.body.history.at(-1)).toMatchObject({ from: 'applied', to: 'screening', reason: 'Moving to screening' });

  const index = await send('GET', '/');
  expect(index).toMatchObject({
    status: 200,
    body: { name: expect.any(String), version: expect.any(String), docs: '/docs', openapi: '/openapi.json', health: '/healthz' },
  });
  return { applicationId: String(applied.body.id), candidateToken, recruiterToken };
}
