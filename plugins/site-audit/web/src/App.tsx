// The site-audit UI: reports list (with "audit a site"), one report grouped by kind, one page's detail, settings.
import { href, matchPath, Page, PageHeader, useRoute } from "@temps-bundle/kit";
import { AuditsPage } from "./AuditsPage.tsx";
import { PageDetailPage } from "./PageDetailPage.tsx";
import { ReportPage } from "./ReportPage.tsx";
import { SettingsPage } from "./SettingsPage.tsx";

const TABS = [
  { path: "/", label: "Reports" },
  { path: "/settings", label: "Settings" },
];

export function App() {
  const route = useRoute();
  return (
    <Page>
      <PageHeader title="Site audit" description="Broken links, redirect chains and missing metadata, checked on every deployment." />
      <nav className="tk-row" style={{ marginBottom: "var(--tk-space-4)" }}>
        {TABS.map((tab) => {
          const active = tab.path === "/" ? !route.path.startsWith("/settings") : route.path.startsWith(tab.path);
          return (
            <a key={tab.path} href={href(tab.path)} aria-current={active ? "page" : undefined}>
              {active ? <strong>{tab.label}</strong> : tab.label}
            </a>
          );
        })}
      </nav>
      <Screen path={route.path} query={route.query} />
    </Page>
  );
}

function Screen({ path, query }: { path: string; query: URLSearchParams }) {
  if (path === "/settings") return <SettingsPage />;
  const page = matchPath("/audits/:id/page", path);
  if (page?.id !== undefined) return <PageDetailPage id={Number(page.id)} url={query.get("url") ?? ""} />;
  const report = matchPath("/audits/:id", path);
  if (report?.id !== undefined) return <ReportPage id={Number(report.id)} />;
  return <AuditsPage />;
}
