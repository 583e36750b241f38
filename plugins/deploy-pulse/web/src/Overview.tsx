// The overview: every project's delivery metrics over a window, failing projects first, with search and filters.
import { useMemo, useState } from "react";
import {
  Button,
  Card,
  EmptyState,
  ErrorState,
  formatRelative,
  href,
  Loading,
  navigate,
  Page,
  PageHeader,
  SelectField,
  sendJson,
  StatusBadge,
  Table,
  TextField,
  useApi,
} from "@temps-bundle/kit";
import type { BackfillReport, Health, OverviewResponse, Project } from "./api.ts";
import type { WindowKey } from "./App.tsx";
import { formatDuration, formatPerDay, formatRate, formatStreak } from "./format.ts";
import { TempsLink } from "./TempsLink.tsx";
import { WINDOW_OPTIONS } from "./windows.ts";

type HealthFilter = "all" | Health;

export function Overview({ window }: { window: WindowKey }) {
  const overview = useApi<OverviewResponse>("/overview", { window });
  const [search, setSearch] = useState("");
  const [health, setHealth] = useState<HealthFilter>("all");
  const projects = useMemo(() => filter(overview.data?.projects ?? [], search, health), [overview.data, search, health]);

  return (
    <Page>
      <PageHeader
        title="Deploy Pulse"
        description="What is deploying, what is failing, and how delivery is trending across every project."
        actions={<BackfillButton onDone={overview.reload} />}
      />
      <Card>
        <div className="tk-row">
          <TextField label="Search" type="search" value={search} onChange={setSearch} placeholder="project name or slug" />
          <SelectField<HealthFilter>
            label="Health"
            value={health}
            onChange={setHealth}
            options={[
              { value: "all", label: "All projects" },
              { value: "failing", label: "Failing" },
              { value: "healthy", label: "Healthy" },
              { value: "unknown", label: "No finished deployment" },
            ]}
          />
          <SelectField<WindowKey> label="Window" value={window} onChange={(w) => navigate(`/?window=${w}`)} options={WINDOW_OPTIONS} />
        </div>
      </Card>
      {overview.error && <ErrorState error={overview.error} onRetry={overview.reload} />}
      {!overview.data && !overview.error && <Loading />}
      {overview.data && (
        <Card title={`${overview.data.totals.projects} projects · ${overview.data.totals.failing} failing · ${overview.data.totals.deployments} deployments in ${overview.data.window.days} days`}>
          <ProjectsTable projects={projects} window={window} />
        </Card>
      )}
    </Page>
  );
}

function ProjectsTable({ projects, window }: { projects: Project[]; window: WindowKey }) {
  return (
    <Table
      rows={projects}
      rowKey={(p) => p.project_id}
      empty={
        <EmptyState title="No projects match">
          Projects appear when Temps sends deployment events or after a backfill.
        </EmptyState>
      }
      columns={[
        { header: "Project", cell: (p) => <a href={href(`/projects/${p.project_id}?window=${window}`)}>{p.name}</a> },
        { header: "Health", cell: (p) => <StatusBadge status={p.health} tone={p.health === "failing" ? "danger" : p.health === "healthy" ? "success" : "neutral"} /> },
        { header: "Deploys", cell: (p) => p.metrics.deployments, align: "right" },
        { header: "Per day", cell: (p) => formatPerDay(p.metrics.frequency_per_day), align: "right" },
        { header: "Failure rate", cell: (p) => formatRate(p.metrics.change_failure_rate), align: "right" },
        { header: "Restore (median)", cell: (p) => formatDuration(p.metrics.time_to_restore.median_seconds), align: "right" },
        { header: "Lead p50 / p90", cell: (p) => `${formatDuration(p.metrics.lead_time.p50_seconds)} / ${formatDuration(p.metrics.lead_time.p90_seconds)}`, align: "right" },
        { header: "Latest", cell: (p) => (p.last_deployment ? <><StatusBadge status={p.last_deployment.state} /> <span className="tk-muted">{formatRelative(p.last_deployment.created_at ?? p.last_deployment.finished_at)}</span></> : "—") },
        { header: "Streak", cell: (p) => formatStreak(p.metrics) },
        { header: "", cell: (p) => <TempsLink url={p.temps_url}>Temps ↗</TempsLink> },
      ]}
    />
  );
}

function BackfillButton({ onDone }: { onDone: () => void }) {
  const [state, setState] = useState<{ busy: boolean; message?: string }>({ busy: false });
  const run = () => {
    setState({ busy: true });
    sendJson<BackfillReport>("POST", "/backfill")
      .then((r) => {
        setState({ busy: false, message: `Backfilled ${r.deployments_seen} deployments of ${r.projects} projects: ${r.inserted} new, ${r.updated} updated.` });
        onDone();
      })
      .catch((error: unknown) => setState({ busy: false, message: error instanceof Error ? error.message : String(error) }));
  };
  return (
    <>
      {state.message && <span className="tk-muted" role="status">{state.message}</span>}
      <Button onClick={run} disabled={state.busy}>
        {state.busy ? "Backfilling…" : "Backfill now"}
      </Button>
    </>
  );
}

/** Search by name or slug, then by health; the server's order (failing first) is kept. */
function filter(projects: Project[], search: string, health: HealthFilter): Project[] {
  const needle = search.trim().toLowerCase();
  return projects.filter(
    (p) => (health === "all" || p.health === health) && (!needle || p.name.toLowerCase().includes(needle) || p.slug.toLowerCase().includes(needle)),
  );
}
