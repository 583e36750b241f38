// The success/failure timeline: one mark per deployment on a time axis spanning the window, one lane per
// environment, coloured by outcome. Drawn in SVG with the kit's tokens (the kit's Chart draws one series of values;
// a timeline needs positions in time).
import { formatDateTime } from "@temps-bundle/kit";
import type { Deployment, WindowInfo } from "./api.ts";
import { environmentLabel } from "./format.ts";

const LANE = 28;
const LEFT = 120;
const WIDTH = 720;

const COLOURS: Record<string, string> = {
  succeeded: "var(--tk-success)",
  failed: "var(--tk-danger)",
  cancelled: "var(--tk-neutral)",
  running: "var(--tk-warning)",
};

export function Timeline({ deployments, window }: { deployments: Deployment[]; window: WindowInfo }) {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  const lanes = [...new Set(deployments.map((d) => environmentLabel(d)))].sort();
  const x = (at: string | null) => LEFT + ((Date.parse(at ?? window.end) - start) / Math.max(1, end - start)) * (WIDTH - LEFT - 8);
  const height = Math.max(1, lanes.length) * LANE + 20;
  return (
    <svg className="tk-chart" width="100%" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="Success and failure timeline">
      <title>Success and failure timeline</title>
      {lanes.map((lane, i) => (
        <g key={lane}>
          <line className="tk-chart-grid" x1={LEFT} x2={WIDTH - 8} y1={i * LANE + LANE / 2} y2={i * LANE + LANE / 2} />
          <text x={LEFT - 8} y={i * LANE + LANE / 2} textAnchor="end" dominantBaseline="middle">
            {lane}
          </text>
        </g>
      ))}
      {deployments.map((d) => (
        <circle key={d.deployment_id} cx={x(d.created_at ?? d.finished_at)} cy={lanes.indexOf(environmentLabel(d)) * LANE + LANE / 2} r={6} fillOpacity={0.75} fill={COLOURS[d.state] ?? "var(--tk-neutral)"}>
          <title>{`#${d.deployment_id} ${d.state} · ${formatDateTime(d.created_at ?? d.finished_at)}${d.error_message ? ` · ${d.error_message}` : ""}`}</title>
        </circle>
      ))}
      <text x={LEFT} y={height - 4}>{window.start.slice(0, 10)}</text>
      <text x={WIDTH - 8} y={height - 4} textAnchor="end">
        {window.end.slice(0, 10)}
      </text>
    </svg>
  );
}
