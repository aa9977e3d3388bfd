import { useState } from 'preact/hooks';
import { api, describe } from '../api/client';
import { Layout } from '../components/layout';
import { Alert } from '../components/alert';
import { useSession } from '../components/session';
import { navigate } from '../router';

export function SignInPage() {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const { data, error, response } = await api.POST('/api/auth/login', { body: { email, password } });
    if (!data) return setError(describe(error, response));
    const me = await signIn(data.access_token);
    // Staff start from what needs them today; candidates from the open jobs.
    navigate(me && me.role !== 'candidate' ? '/home' : '/');
  };

  return (
    <Layout title="Sign in">
      <form class="stack narrow" onSubmit={submit}>
        <Alert message={error} />
        <label>
          E-mail{' '}
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label>
          Password{' '}
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}
