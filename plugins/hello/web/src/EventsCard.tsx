// The events card: `GET /events` as a table, with a bar chart of how many events of each type arrived.
import { Button, Card, Chart, EmptyState, ErrorState, formatDateTime, Loading, StatusBadge, Table, useApi } from "@temps-bundle/kit";
import type { Events, HelloEvent } from "./api.ts";

export function EventsCard() {
  const events = useApi<Events>("/events");
  return (
    <Card title="Recent deployment events">
      <div className="tk-row" style={{ justifyContent: "flex-end", marginBottom: "var(--tk-space-3)" }}>
        <Button onClick={events.reload} disabled={events.loading}>
          Refresh
        </Button>
      </div>
      {events.error && <ErrorState error={events.error} onRetry={events.reload} />}
      {!events.data && !events.error && <Loading />}
      {events.data && <EventsBody events={events.data.events} />}
    </Card>
  );
}

function EventsBody({ events }: { events: HelloEvent[] }) {
  if (events.length === 0) {
    return (
      <EmptyState title="No events yet">
        Deployment events appear here when Temps (or the dev host's event form) sends them.
      </EmptyState>
    );
  }
  return (
    <>
      <Chart type="bar" title="Events by type" data={countByType(events)} height={160} />
      <Table
        columns={[
          { header: "Type", cell: (e) => <StatusBadge status={e.event_type.replace(/^deployment\./, "")} /> },
          { header: "When", cell: (e) => formatDateTime(e.timestamp) },
          { header: "Project", cell: (e) => e.project_id ?? "—", align: "right" },
          { header: "Event id", cell: (e) => <code className="tk-muted">{e.id}</code> },
        ]}
        rows={events}
        rowKey={(e) => e.id}
      />
    </>
  );
}

function countByType(events: HelloEvent[]) {
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event.event_type, (counts.get(event.event_type) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([label, value]) => ({ label, value }));
}
