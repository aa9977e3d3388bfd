/**
 * The reason staff give for a rejection or a move back, with the warning that the candidate reads it
 * (on their application, and in the e-mail that tells them of the change).
 */
export function ReasonField({
  label,
  id,
  rows,
  value,
  onChange,
}: {
  label: string;
  /** The warning's id, unique on the page. */
  id: string;
  rows: number;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <>
      <label>
        {label}{' '}
        <textarea name="reason" rows={rows} required aria-describedby={id} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
      </label>
      <p class="hint" id={id}>
        The candidate sees this reason on their application and in the e-mail that tells them.
      </p>
    </>
  );
}
