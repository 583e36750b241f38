// The indexnow UI: the submissions log (with a manual submit), suggestions (stale pages), key and settings.
import { href, matchPath, Page, PageHeader, useRoute } from "@temps-bundle/kit";
import { SettingsPage } from "./SettingsPage.tsx";
import { SubmissionPage } from "./SubmissionPage.tsx";
import { SubmissionsPage } from "./SubmissionsPage.tsx";
import { SuggestionsPage } from "./SuggestionsPage.tsx";

const TABS = [
  { path: "/", label: "Submissions" },
  { path: "/suggestions", label: "Suggestions" },
  { path: "/settings", label: "Key and settings" },
];

export function App() {
  const route = useRoute();
  return (
    <Page>
      <PageHeader title="IndexNow" description="Tells search engines which pages changed after each deployment." />
      <nav className="tk-row" style={{ marginBottom: "var(--tk-space-4)" }}>
        {TABS.map((tab) => {
          const active = tab.path === "/" ? route.path === "/" || route.path.startsWith("/submissions") : route.path.startsWith(tab.path);
          return (
            <a key={tab.path} href={href(tab.path)} aria-current={active ? "page" : undefined}>
              {active ? <strong>{tab.label}</strong> : tab.label}
            </a>
          );
        })}
      </nav>
      <Screen path={route.path} />
    </Page>
  );
}

function Screen({ path }: { path: string }) {
  if (path === "/suggestions") return <SuggestionsPage />;
  if (path === "/settings") return <SettingsPage />;
  const one = matchPath("/submissions/:id", path);
  if (one?.id !== undefined) return <SubmissionPage id={Number(one.id)} />;
  return <SubmissionsPage />;
}
