// The metric windows the API offers.
import type { WindowKey } from "./App.tsx";

export const WINDOW_OPTIONS: { value: WindowKey; label: string }[] = [
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "90d", label: "Last 90 days" },
];
