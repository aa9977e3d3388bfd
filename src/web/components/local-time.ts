/** A `datetime-local` value (the reader's time zone) as the ISO instant the API takes. */
export const instant = (local: string): string => new Date(local).toISOString();

/** An ISO instant as a `datetime-local` value in the reader's time zone, to the minute. */
export function localInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
