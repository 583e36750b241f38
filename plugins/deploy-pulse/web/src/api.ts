// The JSON shapes of deploy-pulse's routes, as `plugins/deploy-pulse/src/views.rs` serves them.

export type Health = "failing" | "healthy" | "unknown";
export type DeploymentState = "running" | "succeeded" | "failed" | "cancelled";

export interface WindowInfo {
  days: number;
  start: string;
  end: string;
}

export interface Metrics {
  deployments: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  running: number;
  frequency_per_day: number;
  change_failure_rate: number | null;
  time_to_restore: { incidents: number; restored: number; open: number; mean_seconds: number | null; median_seconds: number | null };
  lead_time: { samples: number; p50_seconds: number | null; p90_seconds: number | null };
  current: { deployment_id: number; state: DeploymentState; at: string } | null;
  streak: { outcome: DeploymentState; length: number } | null;
}

export interface Deployment {
  deployment_id: number;
  project_id: number;
  environment_id: number | null;
  environment_name: string | null;
  state: DeploymentState;
  host_state: string | null;
  branch: string | null;
  commit_sha: string | null;
  commit_message: string | null;
  commit_author: string | null;
  url: string | null;
  error_message: string | null;
  created_at: string | null;
  started_at: string | null;
  succeeded_at: string | null;
  failed_at: string | null;
  cancelled_at: string | null;
  ready_at: string | null;
  finished_at: string | null;
  lead_time_seconds: number | null;
  event_count?: number;
}

export interface Environment {
  environment_id: number | null;
  environment_name: string | null;
  health: Health;
  metrics: Metrics;
}

export interface Project {
  project_id: number;
  name: string;
  slug: string;
  temps_url: string | null;
  health: Health;
  metrics: Metrics;
  environments: Environment[];
  last_deployment: Deployment | null;
}

export interface OverviewResponse {
  window: WindowInfo;
  totals: { projects: number; failing: number; deployments: number };
  projects: Project[];
}

export interface Day {
  date: string;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  running: number;
}

export interface ProjectDetail extends Project {
  window: WindowInfo;
  daily: Day[];
  lead_times: { deployment_id: number; at: string; seconds: number }[];
  timeline: Deployment[];
}

export interface DeploymentPage {
  deployments: Deployment[];
  next_before: number | null;
}

export interface BackfillReport {
  projects: number;
  deployments_seen: number;
  inserted: number;
  updated: number;
  unchanged: number;
  errors: { project_id: number; message: string }[];
}
