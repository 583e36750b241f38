// Chart: a dependency-free SVG bar or line chart of labelled values (counts, durations). Values below 0 are drawn
// at 0. It draws at its container's width, so labels keep their size; integer data gets whole-number ticks.
import { labelStride, niceTicks } from "./scale.ts";
import { useWidth } from "./useWidth.ts";

export interface Datum {
  label: string;
  value: number;
}

export interface ChartProps {
  type: "bar" | "line";
  data: Datum[];
  /** Accessible name of the chart (read by screen readers, shown as a tooltip). */
  title: string;
  height?: number;
  formatValue?: (value: number) => string;
}

const MARGIN = { top: 8, right: 8, bottom: 24, left: 44 };
const MAX_BAR_WIDTH = 48;

export function Chart({ type, data, title, height = 200, formatValue = String }: ChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>(640);
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const innerHeight = height - MARGIN.top - MARGIN.bottom;
  const integers = data.every((d) => Number.isInteger(d.value));
  const ticks = niceTicks(Math.max(0, ...data.map((d) => d.value)), 4, integers);
  const top = ticks[ticks.length - 1] ?? 1;
  const step = innerWidth / Math.max(1, data.length);
  const x = (i: number) => MARGIN.left + step * (i + 0.5);
  const y = (value: number) => MARGIN.top + innerHeight - (Math.max(0, value) / top) * innerHeight;
  const stride = labelStride(data.length, innerWidth);
  const marks = { data, x, y, formatValue };

  return (
    <div ref={ref}>
      <svg className="tk-chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <title>{title}</title>
        {ticks.map((tick) => (
          <g key={tick}>
            <line className="tk-chart-grid" x1={MARGIN.left} x2={width - MARGIN.right} y1={y(tick)} y2={y(tick)} />
            <text x={MARGIN.left - 6} y={y(tick)} textAnchor="end" dominantBaseline="middle">
              {formatValue(tick)}
            </text>
          </g>
        ))}
        {type === "bar" ? <Bars {...marks} width={Math.min(MAX_BAR_WIDTH, step * 0.7)} /> : <Line {...marks} />}
        {data.map((d, i) =>
          i % stride === 0 ? (
            <text key={i} x={x(i)} y={height - 6} textAnchor="middle">
              {d.label}
            </text>
          ) : null,
        )}
      </svg>
    </div>
  );
}

interface MarksProps {
  data: Datum[];
  x: (i: number) => number;
  y: (value: number) => number;
  formatValue: (value: number) => string;
}

function Bars({ data, x, y, width, formatValue }: MarksProps & { width: number }) {
  const base = y(0);
  return (
    <g>
      {data.map((d, i) => (
        <rect key={i} className="tk-chart-bar" x={x(i) - width / 2} y={y(d.value)} width={width} height={base - y(d.value)} rx={2}>
          <title>{`${d.label}: ${formatValue(d.value)}`}</title>
        </rect>
      ))}
    </g>
  );
}

function Line({ data, x, y, formatValue }: MarksProps) {
  const path = data.map((d, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(d.value).toFixed(1)}`).join(" ");
  return (
    <g>
      <path className="tk-chart-line" d={path} />
      {data.map((d, i) => (
        <circle key={i} className="tk-chart-point" cx={x(i)} cy={y(d.value)} r={3}>
          <title>{`${d.label}: ${formatValue(d.value)}`}</title>
        </circle>
      ))}
    </g>
  );
}
