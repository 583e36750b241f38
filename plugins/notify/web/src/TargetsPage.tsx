// The targets list: format, filters, enabled flag, and per target "Edit", "Send test" and its delivery log.
import { useState } from "react";
import { Button, Card, EmptyState, ErrorState, href, Loading, navigate, sendJson, StatusBadge, Table, useApi } from "@temps-bundle/kit";
import type { Delivery, Target } from "./api.ts";

export function TargetsPage() {
  const targets = useApi<{ targets: Target[] }>("/targets");
  const [tests, setTests] = useState<Record<number, Delivery | string>>({});

  async function sendTest(target: Target) {
    setTests((t) => ({ ...t, [target.id]: "sending…" }));
    try {
      const delivery = await sendJson<Delivery>("POST", `/targets/${target.id}/test`);
      setTests((t) => ({ ...t, [target.id]: delivery }));
    } catch (error) {
      setTests((t) => ({ ...t, [target.id]: error instanceof Error ? error.message : String(error) }));
    }
  }

  return (
    <Card title="Targets">
      <div className="tk-row" style={{ justifyContent: "flex-end", marginBottom: "var(--tk-space-3)" }}>
        <Button onClick={targets.reload} disabled={targets.loading}>
          Refresh
        </Button>
        <Button variant="primary" onClick={() => navigate("/targets/new")}>
          New target
        </Button>
      </div>
      {targets.error && <ErrorState error={targets.error} onRetry={targets.reload} />}
      {!targets.data && !targets.error && <Loading />}
      {targets.data && (
        <Table
          rows={targets.data.targets}
          rowKey={(t) => t.id}
          empty={<EmptyState title="No targets yet">Add a Slack, Discord or JSON webhook to be told about deployments.</EmptyState>}
          columns={[
            { header: "Name", cell: (t) => <a href={href(`/targets/${t.id}`)}>{t.name}</a> },
            { header: "Format", cell: (t) => t.format },
            { header: "Events", cell: (t) => <code>{t.events.join(", ")}</code> },
            { header: "Filter", cell: (t) => filterText(t) },
            { header: "State", cell: (t) => <StatusBadge status={t.enabled ? "enabled" : "disabled"} tone={t.enabled ? "success" : "neutral"} /> },
            {
              header: "",
              cell: (t) => (
                <div className="tk-row">
                  <Button onClick={() => void sendTest(t)}>Send test</Button>
                  <a href={href(`/deliveries?target=${t.id}`)}>Deliveries</a>
                  <TestResult result={tests[t.id]} />
                </div>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}

function TestResult({ result }: { result: Delivery | string | undefined }) {
  if (result === undefined) return null;
  if (typeof result === "string") return <span className="tk-muted">{result}</span>;
  const detail = result.last_status_code !== null ? `HTTP ${result.last_status_code}` : (result.last_error ?? "");
  return (
    <span title={result.last_error ?? undefined}>
      <StatusBadge status={result.status} /> <span className="tk-muted">{detail}</span>
    </span>
  );
}

function filterText(target: Target): string {
  const parts = [];
  if (target.project_id !== null) parts.push(`project ${target.project_id}`);
  if (target.environment !== null) parts.push(target.environment);
  return parts.length > 0 ? parts.join(" · ") : "all projects";
}
