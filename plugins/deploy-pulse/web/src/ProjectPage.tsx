// One project: headline metrics, deployments per day, the success/failure timeline, lead times, environments and the
// deployment history.
import { useCallback, useEffect, useState } from "react";
import {
  Button,
  Card,
  Chart,
  EmptyState,
  ErrorState,
  formatDateTime,
  getJson,
  href,
  Loading,
  navigate,
  Page,
  PageHeader,
  SelectField,
  StatusBadge,
  Table,
  useApi,
} from "@temps-bundle/kit";
import type { Deployment, DeploymentPage, Metrics, ProjectDetail } from "./api.ts";
import type { WindowKey } from "./App.tsx";
import { environmentLabel, formatDuration, formatPerDay, formatRate, formatStreak } from "./format.ts";
import { TempsLink } from "./TempsLink.tsx";
import { Timeline } from "./Timeline.tsx";
import { WINDOW_OPTIONS } from "./windows.ts";

export function ProjectPage({ id, window }: { id: string; window: WindowKey }) {
  const project = useApi<ProjectDetail>(`/projects/${encodeURIComponent(id)}`, { window });
  const detail = project.data;
  return (
    <Page>
      <PageHeader
        title={detail?.name ?? `Project ${id}`}
        description={<a href={href(`/?window=${window}`)}>← All projects</a>}
        actions={
          <>
            <SelectField<WindowKey> label="Window" value={window} onChange={(w) => navigate(`/projects/${id}?window=${w}`)} options={WINDOW_OPTIONS} />
            {detail && <TempsLink url={detail.temps_url} />}
          </>
        }
      />
      {project.error && <ErrorState error={project.error} onRetry={project.reload} />}
      {!detail && !project.error && <Loading />}
      {detail && <ProjectBody detail={detail} />}
      <DeploymentHistory id={id} />
    </Page>
  );
}

function ProjectBody({ detail }: { detail: ProjectDetail }) {
  const perDay = detail.daily.map((d) => ({ label: d.date.slice(5), value: d.total }));
  const leadTimes = detail.lead_times.map((p) => ({ label: `#${p.deployment_id}`, value: Math.round(p.seconds / 60) }));
  return (
    <>
      <Card title={`Last ${detail.window.days} days`}>
        <Headline metrics={detail.metrics} health={detail.health} />
      </Card>
      <Card title="Deployments per day">
        <Chart type="bar" title="Deployments per day" data={perDay} height={180} />
      </Card>
      <Card title="Success and failure timeline">
        {detail.timeline.length ? <Timeline deployments={detail.timeline} window={detail.window} /> : <EmptyState title="No deployments in this window" />}
      </Card>
      <Card title="Lead time (created → succeeded), minutes">
        {leadTimes.length ? (
          <Chart type="line" title="Lead time in minutes per succeeded deployment" data={leadTimes} height={180} formatValue={(v) => `${v} min`} />
        ) : (
          <EmptyState title="No succeeded deployment with a known creation time" />
        )}
      </Card>
      <Card title="Environments">
        <Table
          rows={detail.environments}
          rowKey={(e) => `${e.environment_id ?? ""}-${e.environment_name ?? ""}`}
          columns={[
            { header: "Environment", cell: (e) => environmentLabel(e) },
            { header: "Health", cell: (e) => <StatusBadge status={e.health} tone={e.health === "failing" ? "danger" : e.health === "healthy" ? "success" : "neutral"} /> },
            { header: "Deploys", cell: (e) => e.metrics.deployments, align: "right" },
            { header: "Failure rate", cell: (e) => formatRate(e.metrics.change_failure_rate), align: "right" },
            { header: "Restore (median)", cell: (e) => formatDuration(e.metrics.time_to_restore.median_seconds), align: "right" },
            { header: "Lead p50 / p90", cell: (e) => `${formatDuration(e.metrics.lead_time.p50_seconds)} / ${formatDuration(e.metrics.lead_time.p90_seconds)}`, align: "right" },
            { header: "Streak", cell: (e) => formatStreak(e.metrics) },
          ]}
        />
      </Card>
    </>
  );
}

function Headline({ metrics, health }: { metrics: Metrics; health: string }) {
  const restore = metrics.time_to_restore;
  const items: [string, string][] = [
    ["Deployments", `${metrics.deployments} (${formatPerDay(metrics.frequency_per_day)} per day)`],
    ["Change failure rate", `${formatRate(metrics.change_failure_rate)} (${metrics.failed} of ${metrics.succeeded + metrics.failed})`],
    ["Time to restore", `median ${formatDuration(restore.median_seconds)} · mean ${formatDuration(restore.mean_seconds)}${restore.open ? ` · ${restore.open} open` : ""}`],
    ["Lead time", `p50 ${formatDuration(metrics.lead_time.p50_seconds)} · p90 ${formatDuration(metrics.lead_time.p90_seconds)}`],
    ["Streak", formatStreak(metrics)],
  ];
  return (
    <div className="tk-row" style={{ gap: "var(--tk-space-6)", flexWrap: "wrap" }}>
      <StatusBadge status={health} tone={health === "failing" ? "danger" : health === "healthy" ? "success" : "neutral"} />
      {items.map(([label, value]) => (
        <div key={label}>
          <div className="tk-muted">{label}</div>
          <strong>{value}</strong>
        </div>
      ))}
    </div>
  );
}

/** Every deployment of the project, newest first, paged with `before`. */
function DeploymentHistory({ id }: { id: string }) {
  const [rows, setRows] = useState<Deployment[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<Error>();
  const load = useCallback((before?: number) => {
    getJson<DeploymentPage>(`/projects/${encodeURIComponent(id)}/deployments`, { limit: 25, before })
      .then((page) => {
        setRows((current) => (before === undefined ? page.deployments : [...current, ...page.deployments]));
        setNext(page.next_before);
        setError(undefined);
      })
      .catch((reason: unknown) => setError(reason instanceof Error ? reason : new Error(String(reason))));
  }, [id]);
  useEffect(() => load(), [load]);
  return (
    <Card title="Deployments">
      {error && <ErrorState error={error} onRetry={() => load()} />}
      <Table
        rows={rows}
        rowKey={(d) => d.deployment_id}
        empty={<EmptyState title="No deployments recorded yet" />}
        columns={[
          { header: "#", cell: (d) => d.deployment_id, align: "right" },
          { header: "State", cell: (d) => <StatusBadge status={d.state} /> },
          { header: "Environment", cell: (d) => environmentLabel(d) },
          { header: "Branch / commit", cell: (d) => <span className="tk-mono">{[d.branch, d.commit_sha?.slice(0, 7)].filter(Boolean).join(" · ") || "—"}</span> },
          { header: "Created", cell: (d) => formatDateTime(d.created_at) },
          { header: "Lead time", cell: (d) => formatDuration(d.lead_time_seconds), align: "right" },
          { header: "Details", cell: (d) => d.error_message ?? d.commit_message ?? (d.url ? <a href={d.url} target="_blank" rel="noopener">{d.url}</a> : "—") },
        ]}
      />
      {next !== null && (
        <div className="tk-row" style={{ justifyContent: "center", marginTop: "var(--tk-space-3)" }}>
          <Button onClick={() => load(next)}>Load older</Button>
        </div>
      )}
    </Card>
  );
}
