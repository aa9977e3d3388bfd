/** A message screen readers announce as it appears. */
export function Alert({ message, kind = 'error' }: { message: string | null | undefined; kind?: 'error' | 'info' }) {
  if (!message) return null;
  return (
    <p class={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {message}
    </p>
  );
}
