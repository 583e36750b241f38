// The deploy-pulse UI: the overview (`#/`) and one page per project (`#/projects/:id`).
import { matchPath, useRoute } from "@temps-bundle/kit";
import { Overview } from "./Overview.tsx";
import { ProjectPage } from "./ProjectPage.tsx";

export function App() {
  const route = useRoute();
  const project = matchPath("/projects/:id", route.path);
  if (project?.["id"]) return <ProjectPage id={project["id"]} window={windowOf(route.query)} />;
  return <Overview window={windowOf(route.query)} />;
}

/** The `window` query of the hash route (`7d`, `30d`, `90d`), 30 days by default. */
function windowOf(query: URLSearchParams): WindowKey {
  const value = query.get("window");
  return value === "7d" || value === "90d" ? value : "30d";
}

export type WindowKey = "7d" | "30d" | "90d";
