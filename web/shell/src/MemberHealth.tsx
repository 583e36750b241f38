// Per-member health on the shell's home screen: requests/min, error rate, p99 and stalls over the last minute, a
// small chart of the last minutes, and the operator's disable/enable switch. Refreshed from the metrics JSON view.
import { useEffect, useState } from "react";
import { ApiError, Button, Card, Chart, EmptyState, ErrorState, formatNumber, StatusBadge, useApi } from "@temps-bundle/kit";
import { errorRate, METRICS_PATH, perMinute, REFRESH_MS, setDisabled, type MemberFigures, type MetricsView } from "./metrics.ts";

export function MemberHealth({ onChanged }: { onChanged: () => void }) {
  const metrics = useApi<MetricsView>(METRICS_PATH);
  const { reload } = metrics;
  useEffect(() => {
    const timer = window.setInterval(reload, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reload]);

  if (metrics.error instanceof ApiError && metrics.error.status === 403) {
    return (
      <Card title="Member health">
        <EmptyState title="Admins only">Request rates, errors and the kill switch are shown to Temps admins.</EmptyState>
      </Card>
    );
  }
  if (metrics.error) return <ErrorState title="Cannot load the members' figures" error={metrics.error} onRetry={reload} />;
  if (!metrics.data) return null;
  const changed = () => {
    reload();
    onChanged();
  };
  return (
    <Card title="Member health (last minute)">
      <div style={{ display: "flex", flexDirection: "column", gap: "var(--tk-space-4)" }}>
        {metrics.data.members.map((m) => (
          <MemberCard key={m.member} figures={m} onChanged={changed} />
        ))}
      </div>
    </Card>
  );
}

function MemberCard({ figures: m, onChanged }: { figures: MemberFigures; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const toggle = () => {
    setBusy(true);
    setFailure(undefined);
    setDisabled(m.member, !m.disabled)
      .then(onChanged)
      .catch((error: unknown) => setFailure(error instanceof Error ? error.message : String(error)))
      .finally(() => setBusy(false));
  };
  const last = m.last_minute;
  const rate = errorRate(last);
  const series = m.series.slice(-24).map((w) => ({ label: new Date(w.unix_ms).toLocaleTimeString([], { minute: "2-digit", second: "2-digit" }), value: w.requests }));
  return (
    <section className="tk-card" data-member-health={m.member}>
      <div className="tk-row" style={{ justifyContent: "space-between" }}>
        <strong>
          {m.member} <StatusBadge status={m.status} />
        </strong>
        <Button onClick={toggle} disabled={busy || m.status === "failed"} variant={m.disabled ? "primary" : "default"} data-action={m.disabled ? "enable" : "disable"}>
          {m.disabled ? "Enable" : "Disable"}
        </Button>
      </div>
      {failure && <div className="tk-muted" role="alert">{failure}</div>}
      <dl className="tk-row" style={{ gap: "var(--tk-space-6)" }}>
        <Figure label="Requests/min" value={formatNumber(Math.round(perMinute(last)))} />
        <Figure label="Error rate" value={`${(rate * 100).toFixed(1)} %`} tone={rate > 0.05 ? "danger" : undefined} />
        <Figure label="p99" value={last.p99_ms === null ? "–" : `≤ ${formatNumber(last.p99_ms)} ms`} />
        <Figure label="In flight" value={formatNumber(m.in_flight)} />
        <Figure label="Stalls" value={formatNumber(m.stalls_total)} tone={m.stalls_total > 0 ? "danger" : undefined} />
        <Figure label="Events dropped" value={formatNumber(m.events.dropped)} tone={m.events.dropped > 0 ? "danger" : undefined} />
      </dl>
      {series.length > 1 && <Chart type="bar" data={series} title={`${m.member}: requests per interval`} height={120} />}
      {m.recent_stalls.length > 0 && (
        <ul className="tk-muted" data-stalls={m.member}>
          {m.recent_stalls
            .slice()
            .reverse()
            .map((s) => (
              <li key={`${s.at_unix_ms}-${s.name}`}>
                {new Date(s.at_unix_ms).toLocaleTimeString()}: {s.kind} <code>{s.name}</code> held a worker for {formatNumber(s.stalled_ms)} ms
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}

function Figure({ label, value, tone }: { label: string; value: string; tone?: "danger" }) {
  return (
    <div>
      <dt className="tk-muted">{label}</dt>
      <dd style={{ margin: 0, fontWeight: 600, color: tone === "danger" ? "var(--tk-danger)" : undefined }}>{value}</dd>
    </div>
  );
}
