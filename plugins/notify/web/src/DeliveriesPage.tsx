// The delivery log: status, attempts, latency and response code per delivery, filters, and a retry button.
import { useState } from "react";
import { Button, Card, EmptyState, ErrorState, formatDateTime, Loading, SelectField, sendJson, StatusBadge, Table, useApi } from "@temps-bundle/kit";
import type { Delivery, DeliveryStatus, Target } from "./api.ts";

type StatusFilter = DeliveryStatus | "all";

const STATUSES: { value: StatusFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "pending", label: "Pending" },
  { value: "sending", label: "Sending" },
  { value: "delivered", label: "Delivered" },
  { value: "dead", label: "Dead" },
];

export function DeliveriesPage({ target }: { target?: string | undefined }) {
  const [status, setStatus] = useState<StatusFilter>("all");
  const [targetFilter, setTargetFilter] = useState(target ?? "all");
  const targets = useApi<{ targets: Target[] }>("/targets");
  const log = useApi<{ deliveries: Delivery[] }>("/deliveries", {
    status: status === "all" ? undefined : status,
    target: targetFilter === "all" ? undefined : targetFilter,
    limit: 200,
  });
  const [retryError, setRetryError] = useState<Error>();

  async function retry(delivery: Delivery) {
    setRetryError(undefined);
    try {
      await sendJson("POST", `/deliveries/${delivery.id}/retry`);
      log.reload();
    } catch (error) {
      setRetryError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  // Listing targets is admin-only; readers still see the log, just without the target filter.
  const targetOptions = [{ value: "all", label: "All targets" }, ...(targets.data?.targets ?? []).map((t) => ({ value: String(t.id), label: t.name }))];
  return (
    <Card title="Delivery log">
      <div className="tk-row" style={{ alignItems: "flex-end", marginBottom: "var(--tk-space-3)" }}>
        <SelectField label="Status" value={status} options={STATUSES} onChange={setStatus} />
        {targets.data && <SelectField label="Target" value={targetFilter} options={targetOptions} onChange={setTargetFilter} />}
        <Button onClick={log.reload} disabled={log.loading}>
          Refresh
        </Button>
      </div>
      {retryError && <ErrorState error={retryError} title="Retry refused" />}
      {log.error && <ErrorState error={log.error} onRetry={log.reload} />}
      {!log.data && !log.error && <Loading />}
      {log.data && (
        <Table
          rows={log.data.deliveries}
          rowKey={(d) => d.id}
          empty={<EmptyState title="No deliveries">Deliveries appear when a deployment event matches a target, or after "Send test".</EmptyState>}
          columns={[
            { header: "Status", cell: (d) => <StatusBadge status={d.status} /> },
            { header: "Target", cell: (d) => d.target_name },
            { header: "Event", cell: (d) => <code title={d.event_id}>{d.test ? `${d.event_type} (test)` : d.event_type}</code> },
            { header: "Attempts", cell: (d) => d.attempts, align: "right" },
            { header: "Response", cell: (d) => <span title={d.last_error ?? undefined}>{d.last_status_code ?? (d.last_error ? "error" : "—")}</span>, align: "right" },
            { header: "Latency", cell: (d) => (d.latency_ms === null ? "—" : `${d.latency_ms} ms`), align: "right" },
            { header: "Created", cell: (d) => formatDateTime(d.created_at) },
            { header: "Next attempt", cell: (d) => formatDateTime(d.next_attempt_at) },
            {
              header: "",
              cell: (d) => (d.status === "dead" || d.status === "delivered" ? <Button onClick={() => void retry(d)}>Retry</Button> : null),
            },
          ]}
        />
      )}
    </Card>
  );
}
