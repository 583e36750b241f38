// The JSON shapes of site-audit's routes, as `plugins/site-audit/src/report.rs` serves them.

export type AuditStatus = "queued" | "running" | "completed" | "cancelled" | "failed" | "interrupted";
export type Severity = "error" | "warning" | "notice";

export interface Audit {
  id: number;
  site: string;
  start_url: string;
  trigger: "manual" | "deployment";
  project_id: number | null;
  environment: string | null;
  status: AuditStatus;
  stop_reason: string | null;
  error: string | null;
  pages: number;
  findings: number;
  requested_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface Finding {
  kind: string;
  severity: Severity;
  url: string;
  detail: string;
  hint: string;
  new: boolean;
}

export interface KindGroup {
  kind: string;
  severity: Severity;
  hint: string;
  count: number;
  new: number;
  findings: Finding[];
}

export interface Report {
  audit: Audit;
  previous_audit_id: number | null;
  groups: KindGroup[];
  new: number;
  fixed: Finding[];
}

export interface Hop {
  url: string;
  status: number;
  location: string;
}

export interface PageView {
  url: string;
  depth: number;
  found_on: string | null;
  in_sitemap: boolean;
  status: number | null;
  failure: string | null;
  final_url: string;
  redirects: Hop[];
  content_type: string | null;
  bytes: number;
  truncated: boolean;
  elapsed_ms: number;
  title: string | null;
  description: string | null;
  h1_count: number | null;
  canonical: string | null;
  lang: string | null;
  noindex: boolean;
}

export interface PageDetail {
  page: PageView;
  findings: Finding[];
  linked_from: string[];
  links_to: string[];
}

/** The tone of a severity word for `StatusBadge`. */
export function severityTone(severity: Severity): "danger" | "warning" | "neutral" {
  return severity === "error" ? "danger" : severity === "warning" ? "warning" : "neutral";
}

/** A label for a finding kind: `broken_link` → "Broken link". */
export function kindLabel(kind: string): string {
  const words = kind.replace(/_/g, " ").replace("h1", "H1");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
