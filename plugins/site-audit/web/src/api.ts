// site-audit's API types, generated from its Rust types (`api.gen.ts`, `cargo xtask codegen`), under the names the
// screens use. Fields a request may omit (serde defaults) are optional in the generated types; every answer
// carries them (`Sent`).

import type { Sent, Tone } from "@temps-bundle/kit";
import type * as Api from "./api.gen.ts";

export type AuditStatus = Api.AuditStatus;
export type Severity = Api.Severity;
export type Audit = Sent<Api.Audit>;
export type AuditList = Sent<Api.AuditList>;
export type Finding = Sent<Api.Finding>;
export type KindGroup = Sent<Api.KindGroup>;
export type Report = Sent<Api.Report>;
export type Hop = Sent<Api.RedirectHop>;
export type PageView = Sent<Api.Page>;
export type PageDetail = Sent<Api.PageDetail>;
export type Settings = Sent<Api.Settings>;
export type CrawlLimits = Sent<Api.CrawlLimits>;

/** The tone of a severity word for `StatusBadge`. */
export function severityTone(severity: Severity): Tone {
  return severity === "error" ? "danger" : severity === "warning" ? "warning" : "neutral";
}

/** A label for a finding kind: `broken_link` → "Broken link". */
export function kindLabel(kind: string): string {
  const words = kind.replace(/_/g, " ").replace("h1", "H1");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
