// The bundle's per-member figures (`GET <base>/_bundle/metrics.json`, admin only) and the kill switch
// (`POST <base>/_bundle/members/<name>/disable|enable`).
import { sendJson } from "@temps-bundle/kit";

/** Figures over a window (the last minute, or one sampling interval). */
export interface Window {
  unix_ms: number;
  seconds: number;
  requests: number;
  errors: number;
  /** 99th percentile latency in ms (the upper bound of its histogram bucket); null without requests. */
  p99_ms: number | null;
}

/** One stall the watchdog reported. */
export interface Stall {
  at_unix_ms: number;
  kind: "route" | "event" | "task";
  name: string;
  stalled_ms: number;
  thread: string;
}

/** One member's figures. */
export interface MemberFigures {
  member: string;
  status: string;
  disabled: boolean;
  requests_total: number;
  errors_total: number;
  in_flight: number;
  last_minute: Window;
  series: Window[];
  stalls_total: number;
  recent_stalls: Stall[];
  events: { ok: number; timeout: number; panicked: number; dropped: number };
  event_backlog: number;
}

export interface MetricsView {
  interval_seconds: number;
  members: MemberFigures[];
}

export const METRICS_PATH = "/_bundle/metrics.json";

/** How often the shell refreshes the figures. */
export const REFRESH_MS = 5_000;

/** Requests per minute over a window. */
export function perMinute(window: Window): number {
  return window.seconds > 0 ? (window.requests * 60) / window.seconds : 0;
}

/** The share of 5xx answers in a window (0 without requests). */
export function errorRate(window: Window): number {
  return window.requests > 0 ? window.errors / window.requests : 0;
}

/** Turns a member off or on; resolves with its new status. */
export function setDisabled(member: string, disabled: boolean): Promise<{ status: string }> {
  const action = disabled ? "disable" : "enable";
  return sendJson<{ status: string }>("POST", `/_bundle/members/${encodeURIComponent(member)}/${action}`);
}
