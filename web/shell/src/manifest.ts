// The part of the composite manifest (`GET <base>/_bundle/manifest`) the shell reads, and where a member's UI lives.
import { apiBase } from "@temps-bundle/kit";

/** One member as the composite manifest's `bundle.members[]` describes it. */
export interface Member {
  name: string;
  version: string;
  display_name: string | null;
  description: string | null;
  mount: string;
  ui: unknown;
  status: string;
  error?: string | null;
}

/** The keys of the composite manifest the shell uses. */
export interface CompositeManifest {
  name: string;
  version: string;
  display_name: string | null;
  description?: string | null;
  bundle: {
    members: Member[];
    build?: { git_rev?: string; target?: string; profile?: string };
  };
}

/** Where the manifest is fetched from, relative to the bundle's API base. */
export const MANIFEST_PATH = "/_bundle/manifest";

/** The URL of a member's UI: `<bundle base>/<name>/ui/`. */
export function memberUiUrl(name: string, base: string = apiBase()): string {
  return `${base}/${encodeURIComponent(name)}/ui/`;
}
