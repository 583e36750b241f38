// One member inside the shell: its header, a way back to the list, and its own UI in a frame.
import { href, PageHeader, StatusBadge } from "@temps-bundle/kit";
import { memberUiUrl, type Member } from "./manifest.ts";

export function MemberView({ member }: { member: Member }) {
  return (
    <div style={{ display: "flex", flexDirection: "column", height: "100vh" }}>
      <div style={{ padding: "var(--tk-space-4) var(--tk-space-6) 0" }}>
        <PageHeader
          title={
            <>
              {member.display_name ?? member.name} <StatusBadge status={member.status} />
            </>
          }
          description={`${member.name} ${member.version}`}
          actions={<a href={href("/")}>All members</a>}
        />
      </div>
      <iframe
        title={`${member.name} UI`}
        src={memberUiUrl(member.name)}
        style={{ flex: 1, border: "none", borderTop: "1px solid var(--tk-border)", marginTop: "var(--tk-space-4)" }}
      />
    </div>
  );
}
