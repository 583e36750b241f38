// The JSON shapes of indexnow's routes, as `plugins/indexnow/src/{submissions,routes/key,settings}.rs` serve them.

export type SubmissionStatus = "queued" | "running" | "submitted" | "nothing_changed" | "blocked" | "failed" | "interrupted";

export interface Submission {
  id: number;
  site: string;
  start_url: string;
  trigger: "deployment" | "manual";
  mode: "changed" | "all" | "urls";
  status: SubmissionStatus;
  reason: string | null;
  pages_found: number;
  urls_submitted: number;
  batches: number;
  attempts: number;
  last_status_code: number | null;
  requested_by: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface Suggestion {
  url: string;
  last_seen_at: string;
  last_submitted_at: string | null;
  reason: string;
}

export interface KeyInfo {
  key: string | null;
  key_location: string | null;
  file_url: string | null;
  file_content: string | null;
  instructions: string;
}

export interface Settings {
  endpoint: string;
  key: string | null;
  key_location: string | null;
  on_deploy: "production" | "all" | "off";
  production_environments: string[];
  batch_size: number;
  max_attempts: number;
  base_backoff_ms: number;
  stale_days: number;
}

/** The badge tone of a submission status. */
export function statusTone(status: SubmissionStatus): "success" | "warning" | "danger" | "neutral" {
  if (status === "submitted") return "success";
  if (status === "blocked" || status === "failed") return "danger";
  if (status === "queued" || status === "running" || status === "interrupted") return "warning";
  return "neutral";
}
