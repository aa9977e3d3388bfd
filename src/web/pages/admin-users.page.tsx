import { useEffect, useState } from 'preact/hooks';
import { allPages, api, describe, type AdminUser } from '../api/client';
import { Layout } from '../components/layout';
import { Alert } from '../components/alert';

type Role = AdminUser['role'];
const ROLES: Role[] = ['candidate', 'recruiter', 'hiring_manager', 'admin'];

/** Admins create staff (recruiters, hiring managers, admins) or candidates, change roles, and deactivate or reactivate accounts. */
export function AdminUsersPage() {
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [form, setForm] = useState({ email: '', password: '', fullName: '', role: 'recruiter' as Role });

  const load = async () => {
    try {
      setUsers(
        await allPages(async (cursor) => {
          const { data, error, response } = await api.GET('/api/users', {
            params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } },
          });
          if (!data) throw new Error(describe(error, response));
          return data;
        }),
      );
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const create = async (e: Event) => {
    e.preventDefault();
    const { data, error, response } = await api.POST('/api/users', {
      body: { email: form.email, password: form.password, role: form.role, ...(form.fullName ? { fullName: form.fullName } : {}) },
    });
    setError(data ? null : describe(error, response));
    setInfo(null);
    if (data) {
      setInfo(`Created ${data.user.email} (${data.user.role}).`);
      setForm({ ...form, email: '', password: '', fullName: '' });
      await load();
    }
  };
  const update = async (user: AdminUser, body: { role?: Role; active?: boolean }) => {
    const { data, error, response } = await api.PATCH('/api/users/{id}', { params: { path: { id: user.id } }, body });
    setError(data ? null : describe(error, response));
    setInfo(null);
    if (data) {
      setInfo(`Updated ${data.user.email}.`);
      await load();
    }
  };

  return (
    <Layout title="Users">
      <Alert message={error} />
      <Alert message={info} kind="info" />
      <form class="stack narrow card" onSubmit={create}>
        <h2>New user</h2>
        <label>
          E-mail <input type="email" required value={form.email} onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} />
        </label>
        <label>
          Full name <input value={form.fullName} onInput={(e) => setForm({ ...form, fullName: e.currentTarget.value })} />
        </label>
        <label>
          Password{' '}
          <input
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            value={form.password}
            onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
          />
        </label>
        <label>
          Role
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Create user</button>
      </form>
      {users ? (
        <div class="table-wrap">
          <table>
            <caption>Accounts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">E-mail</th>
                <th scope="col">User id</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Active</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id}>
                  <th scope="row">{u.email}</th>
                  <td>{u.id}</td>
                  <td>{u.fullName ?? ''}</td>
                  <td>
                    <label class="visually-hidden" for={`role-${u.id}`}>
                      Role of {u.email}
                    </label>
                    <select id={`role-${u.id}`} value={u.role} onChange={(e) => void update(u, { role: e.currentTarget.value as Role })}>
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {u.active ? 'yes' : 'no'}{' '}
                    <button type="button" onClick={() => void update(u, { active: !u.active })}>
                      {u.active ? 'Deactivate' : 'Reactivate'}
                      <span class="visually-hidden"> {u.email}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p role="status">Loading…</p>
      )}
    </Layout>
  );
}
