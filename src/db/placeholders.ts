/** `n` comma-separated `?` placeholders, for an `in (…)` list bound to `n` values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
