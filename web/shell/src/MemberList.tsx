// The shell's home screen: every member of the bundle with its version and status, and a link to its UI; below,
// each member's health (rates, errors, latency, stalls) and the kill switch.
import { Button, EmptyState, href, Page, PageHeader, StatusBadge, Table, type Column } from "@temps-bundle/kit";
import { memberUiUrl, type CompositeManifest, type Member } from "./manifest.ts";
import { MemberHealth } from "./MemberHealth.tsx";

export interface MemberListProps {
  manifest: CompositeManifest;
  onRefresh: () => void;
  refreshing: boolean;
}

export function MemberList({ manifest, onRefresh, refreshing }: MemberListProps) {
  const members = manifest.bundle.members;
  const failed = members.filter((m) => m.status === "failed").length;
  return (
    <Page>
      <PageHeader
        title={manifest.display_name ?? manifest.name}
        description={`${manifest.name} ${manifest.version} · ${members.length} members${failed ? ` · ${failed} failed` : ""}`}
        actions={
          <Button onClick={onRefresh} disabled={refreshing}>
            Refresh
          </Button>
        }
      />
      <Table
        caption="Members of this bundle"
        columns={COLUMNS}
        rows={members}
        rowKey={(m) => m.name}
        empty={<EmptyState title="No members">This bundle was built without plugins.</EmptyState>}
      />
      <MemberHealth onChanged={onRefresh} />
    </Page>
  );
}

const COLUMNS: Column<Member>[] = [
  {
    header: "Member",
    cell: (m) => (
      <div>
        <strong>{m.display_name ?? m.name}</strong> <code className="tk-muted">{m.name}</code>
        {m.description && <div className="tk-muted">{m.description}</div>}
      </div>
    ),
  },
  { header: "Version", cell: (m) => <code>{m.version}</code> },
  {
    header: "Status",
    cell: (m) => (
      <div>
        <StatusBadge status={m.status} />
        {m.error && <div className="tk-muted">{m.error}</div>}
      </div>
    ),
  },
  {
    header: "UI",
    cell: (m) =>
      m.ui ? (
        <span className="tk-row">
          <a href={href(`/member/${encodeURIComponent(m.name)}`)} data-member={m.name}>
            Open
          </a>
          <a href={memberUiUrl(m.name)} target="_top" className="tk-muted">
            full page
          </a>
        </span>
      ) : (
        <span className="tk-muted">none</span>
      ),
  },
];
