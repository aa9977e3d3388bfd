import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, session, SIGNED_OUT, type User } from './api/client';
import { SessionContext, type SessionState } from './components/session';
import { Layout } from './components/layout';
import { match, usePath } from './router';
import { JobBoardPage } from './pages/job-board.page';
import { JobPage } from './pages/job.page';
import { SignInPage } from './pages/sign-in.page';
import { SignUpPage } from './pages/sign-up.page';
import { MyApplicationsPage } from './pages/my-applications.page';
import { RecruiterJobsPage } from './pages/recruiter-jobs.page';
import { PipelineBoardPage } from './pages/pipeline-board.page';
import { ApplicationPage } from './pages/application.page';
import { AdminUsersPage } from './pages/admin-users.page';
import { StaffHomePage } from './pages/staff-home.page';
import { MyInterviewsPage } from './pages/my-interviews.page';
import { PipelineEditorPage } from './pages/pipeline-editor.page';
import { ReportsPage } from './pages/reports.page';
import { PipelineMigrationPage } from './pages/pipeline-migration.page';

function NotFound() {
  return (
    <Layout title="Not found">
      <p>No page here.</p>
    </Layout>
  );
}

function Page({ path, user }: { path: string; user: User | null }) {
  let p: Record<string, string> | null;
  if (path === '/') return <JobBoardPage />;
  if ((p = match('/jobs/:id', path))) return <JobPage id={p.id} />;
  if (path === '/signin') return <SignInPage />;
  if (path === '/signup') return <SignUpPage />;
  if (!user) return <SignInPage />;
  if (path === '/my') return user.role === 'candidate' ? <MyApplicationsPage /> : <NotFound />;
  // Every page below is for staff: a candidate who types its address gets none of its requests refused.
  if (user.role === 'candidate') return <NotFound />;
  if (path === '/home') return <StaffHomePage />;
  if (path === '/interviews') return <MyInterviewsPage />;
  if (path === '/recruiter') return <RecruiterJobsPage />;
  if ((p = match('/recruiter/jobs/:id/board', path))) return <PipelineBoardPage jobId={p.id} />;
  if ((p = match('/recruiter/jobs/:id/pipeline', path))) return <PipelineEditorPage jobId={p.id} />;
  if ((p = match('/recruiter/jobs/:id/reports', path))) return <ReportsPage jobId={p.id} />;
  if ((p = match('/recruiter/jobs/:id/pipeline/migrate', path))) return <PipelineMigrationPage jobId={p.id} />;
  if ((p = match('/applications/:id', path))) return <ApplicationPage id={p.id} />;
  if (path === '/admin/users') return user.role === 'admin' ? <AdminUsersPage /> : <NotFound />;
  return <NotFound />;
}

function App() {
  const path = usePath();
  const [user, setUser] = useState<User | null>(null);
  const [ready, setReady] = useState(!session.token);

  const loadMe = async () => {
    const { data } = await api.GET('/api/auth/me');
    if (!data) session.token = null;
    setUser(data?.user ?? null);
    setReady(true);
    return data?.user ?? null;
  };
  useEffect(() => {
    if (session.token) void loadMe();
    const onSignedOut = () => setUser(null);
    addEventListener(SIGNED_OUT, onSignedOut);
    return () => removeEventListener(SIGNED_OUT, onSignedOut);
  }, []);

  const state: SessionState = {
    user,
    async signIn(token) {
      session.token = token;
      return loadMe();
    },
    signOut() {
      session.token = null;
      setUser(null);
    },
  };
  if (!ready) return <p role="status">Loading…</p>;
  return (
    <SessionContext.Provider value={state}>
      <Page path={path} user={user} />
    </SessionContext.Provider>
  );
}

render(<App />, document.getElementById('root')!);
