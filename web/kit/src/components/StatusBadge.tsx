// StatusBadge: a coloured pill for a state word. Known words get a tone; anything else is neutral.
export type Tone = "success" | "warning" | "danger" | "neutral";

const TONES: Record<string, Tone> = {
  running: "success",
  ok: "success",
  succeeded: "success",
  success: "success",
  ready: "success",
  delivered: "success",
  pending: "warning",
  starting: "warning",
  building: "warning",
  retrying: "warning",
  failed: "danger",
  error: "danger",
  dead: "danger",
  cancelled: "neutral",
  disabled: "warning",
};

/** The tone a status word gets (`failed` → danger). */
export function toneOf(status: string): Tone {
  return TONES[status.toLowerCase()] ?? "neutral";
}

export interface StatusBadgeProps {
  status: string;
  /** Overrides the tone derived from `status`. */
  tone?: Tone;
}

export function StatusBadge({ status, tone }: StatusBadgeProps) {
  return (
    <span className="tk-badge" data-tone={tone ?? toneOf(status)}>
      {status}
    </span>
  );
}
