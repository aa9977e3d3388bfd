/**
 * A browser cannot attach a bearer header when it navigates, so the dashboard takes a short-lived
 * HttpOnly cookie instead. This page gets one: it signs in through the API, trades the access token
 * for the cookie with an authenticated POST, and forgets the token. Nothing goes in a URL.
 */
export function dashboardLoginPage(basePath: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ATS queues: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;max-width:22rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}#error{color:#b00}</style>
</head><body>
<h1>ATS queues</h1>
<p>Sign in with an admin account.</p>
<form id="login">
<label>E-mail <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
<p id="error" role="alert"></p>
</form>
<script>
document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const error = document.getElementById('error');
  error.textContent = '';
  const login = await fetch('/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: form.get('email'), password: form.get('password') }) });
  if (!login.ok) { error.textContent = (await login.json().catch(() => ({}))).detail || 'Sign-in failed.'; return; }
  const { accessToken } = await login.json();
  const session = await fetch('${basePath}/session', { method: 'POST', headers: { Authorization: 'Bearer ' + accessToken }, credentials: 'same-origin' });
  if (!session.ok) { error.textContent = (await session.json().catch(() => ({}))).detail || 'This account may not open the dashboard.'; return; }
  location.assign('${basePath}');
});
</script>
</body></html>
`;
}
