// The hash router: the route lives in `location.hash` (`#/projects/7?tab=x`), so UIs work inside the console's iframe
// under any mount path. `useRoute` reads it through `useSyncExternalStore` with a cached snapshot.
import { useSyncExternalStore } from "react";

/** The current route: the path after `#` and its query. */
export interface Route {
  path: string;
  query: URLSearchParams;
}

/** The current route; re-renders the component when the hash changes. */
export function useRoute(): Route {
  return useSyncExternalStore(subscribe, currentRoute, currentRoute);
}

/** Goes to `path` (e.g. `/member/hello`), adding a history entry. */
export function navigate(path: string): void {
  window.location.hash = href(path);
}

/** The `href` of a link to `path`: `#/member/hello`. */
export function href(path: string): string {
  return `#${path.startsWith("/") ? path : `/${path}`}`;
}

/**
 * Matches `path` against a pattern with `:name` segments: `matchPath("/member/:name", "/member/hello")` → `{ name: "hello" }`;
 * `null` when it does not match.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = segments(pattern);
  const have = segments(path);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = have[i] ?? "";
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return null;
  }
  return params;
}

/** Parses a hash (`#/a/b?x=1`) into a route; an empty hash is `/`. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, "");
  const [path = "", search = ""] = raw.split("?", 2);
  return { path: path.startsWith("/") ? path : `/${path}`, query: new URLSearchParams(search) };
}

// useSyncExternalStore compares snapshots with Object.is: the route object must stay the same while the hash does.
let cached: { hash: string; route: Route } | undefined;

function currentRoute(): Route {
  const hash = window.location.hash;
  if (cached?.hash !== hash) cached = { hash, route: parseHash(hash) };
  return cached.route;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

function segments(path: string): string[] {
  return path.split("/").filter((part) => part !== "");
}
