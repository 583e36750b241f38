// Scale helpers for the SVG charts: "nice" axis ticks and which category labels fit under the axis.

/**
 * Ticks from 0 to a round number ≥ `max`, about `count` steps of 1, 2 or 5 × 10ⁿ (whole steps when `integers`:
 * counts have no half events). Non-positive `max` gives `[0, 1]`.
 */
export function niceTicks(max: number, count = 4, integers = false): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const rough = Math.max(max / count, integers ? 1 : 0);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const steps = Math.ceil(max / step - 1e-9);
  return Array.from({ length: steps + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

/** Which of `n` category labels to draw so that no two are closer than `minGap` pixels over `width`. */
export function labelStride(n: number, width: number, minGap = 56): number {
  if (n <= 0) return 1;
  const fit = Math.max(1, Math.floor(width / minGap));
  return Math.max(1, Math.ceil(n / fit));
}
