// Display helpers for metrics: durations, rates, environment names.
import type { Environment, Metrics } from "./api.ts";

/** `45 s`, `12 min`, `2 h 15 min`, `3 d 4 h`; `—` when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** `33 %`; `—` when nothing finished. */
export function formatRate(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 100)} %`;
}

/** `1.3`, `0.14`: deployments per day with two significant decimals at most. */
export function formatPerDay(value: number): string {
  return value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2);
}

export function environmentLabel(environment: Pick<Environment, "environment_id" | "environment_name">): string {
  return environment.environment_name ?? (environment.environment_id === null ? "unknown" : `environment #${environment.environment_id}`);
}

/** `3 × succeeded`. */
export function formatStreak(metrics: Metrics): string {
  return metrics.streak ? `${metrics.streak.length} × ${metrics.streak.outcome}` : "—";
}
