// Suggestions: pages never submitted, changed since their last submission, or not submitted for a while.
import { useState } from "react";
import { Button, Card, EmptyState, ErrorState, formatDateTime, Loading, sendJson, Table, useApi } from "@temps-bundle/kit";
import type { SuggestionList } from "./api.ts";

export function SuggestionsPage() {
  const suggestions = useApi<SuggestionList>("/suggestions");
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<Error>();

  async function submit(urls: string[]) {
    setError(undefined);
    setMessage(undefined);
    try {
      const first = urls[0];
      if (first === undefined) return;
      await sendJson("POST", "/submissions", { url: first, urls });
      setMessage(`${urls.length} URL(s) queued.`);
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    }
  }

  if (suggestions.error) return <ErrorState error={suggestions.error} onRetry={suggestions.reload} />;
  if (!suggestions.data) return <Loading />;
  const rows = suggestions.data.suggestions;
  // A submission names one site: group the suggested URLs by origin.
  const sites = [...new Set(rows.map((s) => new URL(s.url).origin))];
  return (
    <Card title={`Suggestions (older than ${suggestions.data.stale_days} days, changed or never sent)`}>
      <div className="tk-row" style={{ marginBottom: "var(--tk-space-3)" }}>
        {sites.map((site) => (
          <Button key={site} onClick={() => void submit(rows.filter((s) => s.url.startsWith(site)).map((s) => s.url))}>
            Submit {site}
          </Button>
        ))}
        {message && <span className="tk-muted">{message}</span>}
      </div>
      {error && <ErrorState error={error} title="Not queued" />}
      <Table
        rows={rows}
        rowKey={(s) => s.url}
        empty={<EmptyState title="Nothing to suggest">Every discovered page was submitted recently.</EmptyState>}
        columns={[
          { header: "URL", cell: (s) => <code>{s.url}</code> },
          { header: "Why", cell: (s) => s.reason },
          { header: "Last submitted", cell: (s) => (s.last_submitted_at ? formatDateTime(s.last_submitted_at) : "never") },
          { header: "Last seen", cell: (s) => formatDateTime(s.last_seen_at) },
        ]}
      />
    </Card>
  );
}
