// One submission: its outcome and every URL it sent.
import { Card, ErrorState, formatDateTime, href, Loading, StatusBadge, useApi } from "@temps-bundle/kit";
import { type SubmissionDetail, statusTone } from "./api.ts";

export function SubmissionPage({ id }: { id: number }) {
  const detail = useApi<SubmissionDetail>(`/submissions/${id}`);
  if (detail.error) return <ErrorState error={detail.error} onRetry={detail.reload} />;
  if (!detail.data) return <Loading />;
  const { submission: s, urls } = detail.data;
  return (
    <>
      <p>
        <a href={href("/")}>← Submissions</a>
      </p>
      <Card title={`Submission ${s.id}: ${s.site}`}>
        <p data-testid="submission-status">
          <StatusBadge status={s.status.replace("_", " ")} tone={statusTone(s.status)} /> {s.urls_submitted} URL(s) in {s.batches} batch(es), {s.attempts} attempt(s)
          {s.last_status_code !== null && <>, last answer HTTP {s.last_status_code}</>}
        </p>
        {s.reason && <p>{s.reason}</p>}
        <p className="tk-muted">
          {s.mode === "changed" ? "Changed pages only" : s.mode === "all" ? "Every page" : "Chosen URLs"} · {s.pages_found} page(s) found · created {formatDateTime(s.created_at)}
        </p>
      </Card>
      <Card title={`URLs sent (${urls.length})`}>
        {urls.length === 0 ? (
          <p className="tk-muted">None.</p>
        ) : (
          <ul data-testid="submitted-urls">
            {urls.map((u) => (
              <li key={u}>
                <code>{u}</code>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
