// One page of an audit: its answer and redirect hops, its metadata, its findings, and the links in and out.
import { Card, ErrorState, href, Loading, StatusBadge, Table, useApi } from "@temps-bundle/kit";
import { kindLabel, type PageDetail, severityTone } from "./api.ts";

export function PageDetailPage({ id, url }: { id: number; url: string }) {
  const detail = useApi<PageDetail>(url === "" ? null : `/audits/${id}/page`, { url });
  if (url === "") return <ErrorState error={new Error("No page URL was given.")} />;
  if (detail.error) return <ErrorState error={detail.error} onRetry={detail.reload} />;
  if (!detail.data) return <Loading />;
  const { page, findings, linked_from, links_to } = detail.data;
  const answer = page.failure ?? (page.status === null ? "no answer" : `HTTP ${page.status}`);
  const facts: [string, string][] = [
    ["Answer", answer],
    ["Final URL", page.final_url],
    ["Title", page.title ?? "—"],
    ["Description", page.description ?? "—"],
    ["H1 headings", page.h1_count === null ? "—" : String(page.h1_count)],
    ["Canonical", page.canonical ?? "—"],
    ["Language", page.lang ?? "—"],
    ["Indexing", page.noindex ? "noindex" : "indexable"],
    ["In sitemap", page.in_sitemap ? "yes" : "no"],
    ["Size", `${page.bytes} bytes${page.truncated ? " (truncated at the page limit)" : ""}`],
    ["Time", `${page.elapsed_ms} ms`],
    ["Depth", String(page.depth)],
  ];
  return (
    <>
      <p>
        <a href={href(`/audits/${id}`)}>← Audit {id}</a>
      </p>
      <Card title={page.url}>
        <Table rows={facts} rowKey={([k]) => k} columns={[{ header: "", cell: ([k]) => <strong>{k}</strong> }, { header: "", cell: ([, v]) => v }]} />
      </Card>
      {page.redirects.length > 0 && (
        <Card title={`Redirects (${page.redirects.length})`}>
          <Table rows={page.redirects} rowKey={(h) => h.url} columns={[{ header: "URL", cell: (h) => <code>{h.url}</code> }, { header: "Status", cell: (h) => h.status }, { header: "To", cell: (h) => <code>{h.location}</code> }]} />
        </Card>
      )}
      <Card title={`Findings (${findings.length})`}>
        <Table
          rows={findings}
          rowKey={(f) => f.kind}
          empty="No findings on this page."
          columns={[
            { header: "Kind", cell: (f) => <StatusBadge status={kindLabel(f.kind)} tone={severityTone(f.severity)} /> },
            { header: "Detail", cell: (f) => f.detail },
            { header: "How to fix", cell: (f) => f.hint },
          ]}
        />
      </Card>
      <Card title={`Linked from (${linked_from.length})`}>
        <LinkList id={id} urls={linked_from} />
      </Card>
      <Card title={`Links to (${links_to.length})`}>
        <LinkList id={id} urls={links_to} />
      </Card>
    </>
  );
}

function LinkList({ id, urls }: { id: number; urls: string[] }) {
  if (urls.length === 0) return <p className="tk-muted">None.</p>;
  return (
    <ul>
      {urls.map((u) => (
        <li key={u}>
          <a href={href(`/audits/${id}/page?url=${encodeURIComponent(u)}`)}>{u}</a>
        </li>
      ))}
    </ul>
  );
}
