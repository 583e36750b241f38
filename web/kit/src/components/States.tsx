// Loading, EmptyState and ErrorState: what a screen shows before, without, or instead of its data.
import type { ReactNode } from "react";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="tk-state" role="status" aria-live="polite">
      <span className="tk-spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export interface EmptyStateProps {
  title: ReactNode;
  children?: ReactNode;
}

export function EmptyState({ title, children }: EmptyStateProps) {
  return (
    <div className="tk-state">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export interface ErrorStateProps {
  error: Error;
  title?: ReactNode;
  onRetry?: () => void;
}

export function ErrorState({ error, title = "Something went wrong", onRetry }: ErrorStateProps) {
  return (
    <div className="tk-state" data-tone="danger" role="alert">
      <h3>{title}</h3>
      <p>{error.message}</p>
      {onRetry && (
        <button type="button" className="tk-button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
