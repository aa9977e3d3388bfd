import { useState } from 'preact/hooks';
import { api, describe } from '../api/client';
import { Layout } from '../components/layout';
import { Alert } from '../components/alert';
import { useSession } from '../components/session';
import { navigate } from '../router';

/** Sign-up creates a candidate account, then signs in with it. */
export function SignUpPage() {
  const { signIn } = useSession();
  const [fullName, setFullName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const created = await api.POST('/api/auth/signup', { body: { email, password, ...(fullName ? { fullName } : {}) } });
    if (!created.data) return setError(describe(created.error, created.response));
    const login = await api.POST('/api/auth/login', { body: { email, password } });
    if (!login.data) return setError(describe(login.error, login.response));
    await signIn(login.data.access_token);
    navigate('/');
  };

  return (
    <Layout title="Sign up">
      <form class="stack narrow" onSubmit={submit}>
        <Alert message={error} />
        <label>
          Full name <input name="fullName" autoComplete="name" value={fullName} onInput={(e) => setFullName(e.currentTarget.value)} />
        </label>
        <label>
          E-mail{' '}
          <input type="email" name="email" autoComplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password (at least 8 characters){' '}
          <input
            type="password"
            name="password"
            autoComplete="new-password"
            minLength={8}
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Create account</button>
      </form>
    </Layout>
  );
}
