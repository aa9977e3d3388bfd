import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Link } from './link';
import { useSession } from './session';
import { navigate } from '../router';

/** Header navigation for the signed-in role, and a main region that takes focus on each new page. */
export function Layout({ title, children }: { title: string; children: ComponentChildren }) {
  const { user, signOut } = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ATS`;
    heading.current?.focus();
  }, [title]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <nav aria-label="Main">
          <Link to="/" class="brand">
            ATS
          </Link>
          <Link to="/">Jobs</Link>
          {user?.role === 'candidate' ? <Link to="/my">My applications</Link> : null}
          {user && user.role !== 'candidate' ? (
            <>
              <Link to="/home">Today</Link>
              <Link to="/recruiter">Manage jobs</Link>
              <Link to="/interviews">My interviews</Link>
            </>
          ) : null}
          {user?.role === 'admin' ? <Link to="/admin/users">Users</Link> : null}
          <span class="spacer" />
          {user ? (
            <>
              <span class="who">
                {user.fullName ?? user.email} ({user.role})
              </span>
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  signOut();
                  navigate('/');
                }}
              >
                Sign out
              </button>
            </>
          ) : (
            <>
              <Link to="/signin">Sign in</Link>
              <Link to="/signup">Sign up</Link>
            </>
          )}
        </nav>
      </header>
      <main id="main">
        <h1 tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {children}
      </main>
    </>
  );
}
