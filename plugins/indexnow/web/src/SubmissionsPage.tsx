// The submissions log: status (with the reason when blocked or failed), counts, and a manual submit.
import { useEffect, useState } from "react";
import { Button, Card, CheckboxField, EmptyState, ErrorState, formatDateTime, href, Loading, sendJson, StatusBadge, Table, TextField, useApi } from "@temps-bundle/kit";
import { type SubmissionList, statusTone } from "./api.ts";

export function SubmissionsPage() {
  const log = useApi<SubmissionList>("/submissions", { limit: 100 });
  const [url, setUrl] = useState("");
  const [all, setAll] = useState(false);
  const [error, setError] = useState<Error>();
  const active = log.data?.submissions.some((s) => s.status === "queued" || s.status === "running") ?? false;

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(log.reload, 1000);
    return () => clearInterval(timer);
  }, [active, log.reload]);

  async function submit() {
    setError(undefined);
    try {
      await sendJson("POST", "/submissions", { url, all });
      log.reload();
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    }
  }

  return (
    <>
      <Card title="Submit now">
        <div className="tk-row" style={{ alignItems: "flex-end" }}>
          <TextField label="Site" type="url" value={url} onChange={setUrl} placeholder="https://example.com/" hint="Pages come from the sitemap, else from the links." />
          <CheckboxField label="Every page, not only changed ones" checked={all} onChange={setAll} />
          <Button variant="primary" onClick={() => void submit()} disabled={url.trim() === ""}>
            Submit
          </Button>
        </div>
        {error && <ErrorState error={error} title="Not queued" />}
      </Card>
      <Card title="Submissions">
        {log.error && <ErrorState error={log.error} onRetry={log.reload} />}
        {!log.data && !log.error && <Loading />}
        {log.data && (
          <Table
            rows={log.data.submissions}
            rowKey={(s) => s.id}
            empty={<EmptyState title="No submissions yet">Production deployments submit their changed pages; or submit a site above.</EmptyState>}
            columns={[
              { header: "Site", cell: (s) => <a href={href(`/submissions/${s.id}`)}>{s.site}</a> },
              { header: "Status", cell: (s) => <StatusBadge status={s.status.replace("_", " ")} tone={statusTone(s.status)} /> },
              { header: "Why", cell: (s) => <span className="tk-muted">{s.reason ?? ""}</span> },
              { header: "Found", cell: (s) => s.pages_found, align: "right" },
              { header: "Sent", cell: (s) => s.urls_submitted, align: "right" },
              { header: "Attempts", cell: (s) => s.attempts, align: "right" },
              { header: "Trigger", cell: (s) => (s.trigger === "manual" ? (s.requested_by ?? "manual") : "deployment") },
              { header: "Created", cell: (s) => formatDateTime(s.created_at) },
            ]}
          />
        )}
      </Card>
    </>
  );
}
