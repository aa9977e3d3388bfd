import type { ComponentChildren } from 'preact';
import { BASE, navigate } from '../router';

/** An ordinary link (it opens in a new tab, it is announced as a link) that navigates without a reload. */
export function Link({ to, children, class: className }: { to: string; children: ComponentChildren; class?: string }) {
  return (
    <a
      href={BASE + to}
      class={className}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
