// One report: the audit's state, its findings grouped by kind (new ones marked), what was fixed, export, cancel.
import { useEffect, useState } from "react";
import { apiUrl, Button, Card, EmptyState, ErrorState, formatDateTime, href, Loading, sendJson, StatusBadge, Table, useApi } from "@temps-bundle/kit";
import { type Finding, kindLabel, type Report, severityTone } from "./api.ts";

export function ReportPage({ id }: { id: number }) {
  const report = useApi<Report>(`/audits/${id}`);
  const [error, setError] = useState<Error>();
  const status = report.data?.audit.status;
  const active = status === "queued" || status === "running";

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(report.reload, 1000);
    return () => clearInterval(timer);
  }, [active, report.reload]);

  async function cancel() {
    setError(undefined);
    try {
      await sendJson("POST", `/audits/${id}/cancel`);
      report.reload();
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    }
  }

  if (report.error) return <ErrorState error={report.error} onRetry={report.reload} />;
  if (!report.data) return <Loading />;
  const { audit, groups, fixed, previous_audit_id } = report.data;
  return (
    <>
      <Card title={`Audit ${audit.id}: ${audit.site}`}>
        <p data-testid="audit-summary">
          <StatusBadge status={audit.status} tone={audit.status === "completed" ? "success" : undefined} /> {audit.pages} pages, {audit.findings} findings
          {audit.stop_reason && audit.stop_reason !== "completed" && <span className="tk-muted"> (stopped: {audit.stop_reason.replace("_", " ")})</span>}
        </p>
        {audit.error && <p className="tk-muted">{audit.error}</p>}
        <p className="tk-muted">
          Started {formatDateTime(audit.started_at ?? audit.created_at)}
          {audit.finished_at && <> · finished {formatDateTime(audit.finished_at)}</>}
          {" · "}
          {previous_audit_id === null ? "first audit of this site" : <a href={href(`/audits/${previous_audit_id}`)}>compared with audit {previous_audit_id}</a>}
        </p>
        <div className="tk-row">
          {active && <Button onClick={() => void cancel()}>Cancel</Button>}
          <a href={apiUrl(`/audits/${id}/export`)} download={`site-audit-${id}.json`}>
            Export JSON
          </a>
        </div>
        {error && <ErrorState error={error} title="Not cancelled" />}
      </Card>
      {groups.length === 0 && !active && (
        <Card title="Findings">
          <EmptyState title="Nothing to fix">Every crawled page passed every check.</EmptyState>
        </Card>
      )}
      {groups.map((group) => (
        <Card key={group.kind} title={`${kindLabel(group.kind)} (${group.count}${group.new > 0 ? `, ${group.new} new` : ""})`}>
          <div data-testid={`group-${group.kind}`}>
            <p>
              <StatusBadge status={group.severity} tone={severityTone(group.severity)} /> <span className="tk-muted">{group.hint}</span>
            </p>
            <FindingsTable id={id} findings={group.findings} />
          </div>
        </Card>
      ))}
      {fixed.length > 0 && (
        <Card title={`Fixed since audit ${previous_audit_id} (${fixed.length})`}>
          <Table rows={fixed} rowKey={(f) => `${f.kind} ${f.url}`} columns={[{ header: "Kind", cell: (f) => kindLabel(f.kind) }, { header: "URL", cell: (f) => <code>{f.url}</code> }]} />
        </Card>
      )}
    </>
  );
}

function FindingsTable({ id, findings }: { id: number; findings: Finding[] }) {
  return (
    <Table
      rows={findings}
      rowKey={(f) => f.url}
      columns={[
        { header: "URL", cell: (f) => <a href={href(`/audits/${id}/page?url=${encodeURIComponent(f.url)}`)}>{f.url}</a> },
        { header: "Detail", cell: (f) => f.detail },
        { header: "", cell: (f) => (f.new ? <StatusBadge status="new" tone="warning" /> : null) },
      ]}
    />
  );
}
