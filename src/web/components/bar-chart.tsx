/** One bar: its label, its value (the length), the text written after it, and a class to mark it. */
export interface Bar {
  label: string;
  value: number;
  text?: string;
  className?: string;
}

const ROW = 28;
const LABEL = 170;
const WIDTH = 640;
const TEXT = 130;

/**
 * A horizontal bar chart drawn as SVG, without a charting library (the CSP allows the app's own code
 * only). It is one image to assistive technology, named by its title; the page puts its numbers in a
 * table beside it, which is what a screen reader reads.
 */
export function BarChart({ id, title, bars }: { id: string; title: string; bars: Bar[] }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const span = WIDTH - LABEL - TEXT;
  const height = Math.max(1, bars.length) * ROW + 8;
  return (
    <svg class="bar-chart" role="img" aria-labelledby={`${id}-title`} viewBox={`0 0 ${WIDTH} ${height}`} width={WIDTH} height={height}>
      <title id={`${id}-title`}>{title}</title>
      {bars.map((b, i) => {
        const y = i * ROW + 4;
        return (
          <g key={`${b.label}-${i}`} class={b.className}>
            <text x={LABEL - 8} y={y + ROW / 2} text-anchor="end" dominant-baseline="middle">
              {b.label}
            </text>
            <rect class="bar" x={LABEL} y={y + 4} height={ROW - 8} width={(b.value / max) * span} data-value={b.value} />
            <text x={LABEL + (b.value / max) * span + 6} y={y + ROW / 2} dominant-baseline="middle">
              {b.text ?? String(b.value)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
