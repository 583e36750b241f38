// The notify UI: targets (list and editor), the delivery log and the retry settings, behind hash routes.
import { href, matchPath, Page, PageHeader, useRoute } from "@temps-bundle/kit";
import { DeliveriesPage } from "./DeliveriesPage.tsx";
import { SettingsPage } from "./SettingsPage.tsx";
import { TargetEditor } from "./TargetEditor.tsx";
import { TargetsPage } from "./TargetsPage.tsx";

const TABS = [
  { path: "/", label: "Targets" },
  { path: "/deliveries", label: "Delivery log" },
  { path: "/settings", label: "Settings" },
];

export function App() {
  const route = useRoute();
  return (
    <Page>
      <PageHeader title="Notify" description="Deployment notifications to Slack, Discord and signed JSON webhooks." />
      <nav className="tk-row" style={{ marginBottom: "var(--tk-space-4)" }}>
        {TABS.map((tab) => (
          <a key={tab.path} href={href(tab.path)} aria-current={isActive(tab.path, route.path) ? "page" : undefined}>
            {isActive(tab.path, route.path) ? <strong>{tab.label}</strong> : tab.label}
          </a>
        ))}
      </nav>
      <Screen path={route.path} query={route.query} />
    </Page>
  );
}

function Screen({ path, query }: { path: string; query: URLSearchParams }) {
  if (path === "/deliveries") return <DeliveriesPage target={query.get("target") ?? undefined} />;
  if (path === "/settings") return <SettingsPage />;
  if (path === "/targets/new") return <TargetEditor />;
  const editing = matchPath("/targets/:id", path);
  if (editing?.id !== undefined) return <TargetEditor id={Number(editing.id)} />;
  return <TargetsPage />;
}

function isActive(tab: string, path: string): boolean {
  return tab === "/" ? path === "/" || path.startsWith("/targets") : path.startsWith(tab);
}
