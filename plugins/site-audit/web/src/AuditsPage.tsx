// The reports list: every audit, newest first, and a form to audit a site now.
import { useEffect, useState } from "react";
import { Button, Card, EmptyState, ErrorState, formatDateTime, href, Loading, navigate, sendJson, StatusBadge, Table, TextField, useApi } from "@temps-bundle/kit";
import type { Audit, AuditList } from "./api.ts";

export function AuditsPage() {
  const audits = useApi<AuditList>("/audits", { limit: 100 });
  const [url, setUrl] = useState("");
  const [error, setError] = useState<Error>();
  const active = audits.data?.audits.some((a) => a.status === "queued" || a.status === "running") ?? false;

  // While an audit runs, the list refreshes itself.
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(audits.reload, 1000);
    return () => clearInterval(timer);
  }, [active, audits.reload]);

  async function start() {
    setError(undefined);
    try {
      const audit = await sendJson<Audit>("POST", "/audits", { url });
      navigate(`/audits/${audit.id}`);
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    }
  }

  return (
    <>
      <Card title="Audit a site">
        <div className="tk-row" style={{ alignItems: "flex-end" }}>
          <TextField label="Start URL" type="url" value={url} onChange={setUrl} placeholder="https://example.com/" hint="Same-origin pages and the sitemap are crawled; robots.txt is honoured." />
          <Button variant="primary" onClick={() => void start()} disabled={url.trim() === ""}>
            Start audit
          </Button>
        </div>
        {error && <ErrorState error={error} title="Not started" />}
      </Card>
      <Card title="Reports">
        {audits.error && <ErrorState error={audits.error} onRetry={audits.reload} />}
        {!audits.data && !audits.error && <Loading />}
        {audits.data && (
          <Table
            rows={audits.data.audits}
            rowKey={(a) => a.id}
            empty={<EmptyState title="No audits yet">Audits run after each production deployment, or start one above.</EmptyState>}
            columns={[
              { header: "Site", cell: (a) => <a href={href(`/audits/${a.id}`)}>{a.site}</a> },
              { header: "Status", cell: (a) => <StatusBadge status={a.status} tone={a.status === "completed" ? "success" : undefined} /> },
              { header: "Trigger", cell: (a) => (a.trigger === "deployment" ? `deployment${a.environment ? ` (${a.environment})` : ""}` : (a.requested_by ?? "manual")) },
              { header: "Pages", cell: (a) => a.pages, align: "right" },
              { header: "Findings", cell: (a) => a.findings, align: "right" },
              { header: "Started", cell: (a) => formatDateTime(a.started_at ?? a.created_at) },
            ]}
          />
        )}
      </Card>
    </>
  );
}
