// The shell's root: fetches the composite manifest once and routes between the member list and one member's UI.
import { ErrorState, Loading, matchPath, Page, useApi, useRoute } from "@temps-bundle/kit";
import { MANIFEST_PATH, type CompositeManifest } from "./manifest.ts";
import { MemberList } from "./MemberList.tsx";
import { MemberView } from "./MemberView.tsx";

export function App() {
  const route = useRoute();
  const manifest = useApi<CompositeManifest>(MANIFEST_PATH);

  if (manifest.error) {
    return (
      <Page>
        <ErrorState title="Cannot load the bundle's manifest" error={manifest.error} onRetry={manifest.reload} />
      </Page>
    );
  }
  if (!manifest.data) return <Loading />;

  const member = matchPath("/member/:name", route.path);
  const selected = member && manifest.data.bundle.members.find((m) => m.name === member["name"]);
  if (selected) return <MemberView member={selected} />;
  return <MemberList manifest={manifest.data} onRefresh={manifest.reload} refreshing={manifest.loading} />;
}
