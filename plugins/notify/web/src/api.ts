// The JSON shapes of notify's routes, as `plugins/notify/src/{targets,deliveries,settings}.rs` serve them.

export type Format = "slack" | "discord" | "json";
export type DeliveryStatus = "pending" | "sending" | "delivered" | "dead";

/** What the editor sends (`POST /targets`, and as a merge patch to `PATCH /targets/{id}`). */
export interface TargetInput {
  name: string;
  url: string;
  format: Format;
  events: string[];
  project_id: number | null;
  environment: string | null;
  enabled: boolean;
}

export interface Target extends TargetInput {
  id: number;
  created_at: string;
  updated_at: string;
}

/** `POST /targets` answers with the secret, once. */
export interface CreatedTarget extends Target {
  secret: string;
}

export interface Delivery {
  id: string;
  target_id: number;
  target_name: string;
  event_id: string;
  event_type: string;
  test: boolean;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  latency_ms: number | null;
  created_at: string;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
}

export interface Settings {
  max_attempts: number;
  base_backoff_ms: number;
  max_backoff_ms: number;
}

export const FORMATS: { value: Format; label: string }[] = [
  { value: "slack", label: "Slack incoming webhook" },
  { value: "discord", label: "Discord webhook" },
  { value: "json", label: "JSON (signed)" },
];
