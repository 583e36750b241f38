// The kit's public API: import everything a UI needs from `@temps-bundle/kit`. Importing it also loads the kit's CSS.
import "./styles/index.css";

export { ApiError, apiBase, apiUrl, getJson, sendJson, type Problem, type Query, type Sent } from "./api.ts";
export { useApi, type ApiState } from "./useApi.ts";
export { href, matchPath, navigate, parseHash, useRoute, type Route } from "./router.ts";
export { formatDateTime, formatNumber, formatRelative } from "./format.ts";
export { mountApp } from "./mount.tsx";

export { PageHeader, type PageHeaderProps } from "./components/PageHeader.tsx";
export { Card, Page, type CardProps } from "./components/Layout.tsx";
export { Table, type Column, type TableProps } from "./components/Table.tsx";
export { EmptyState, ErrorState, Loading, type EmptyStateProps, type ErrorStateProps } from "./components/States.tsx";
export { StatusBadge, toneOf, type StatusBadgeProps, type Tone } from "./components/StatusBadge.tsx";
export {
  Button,
  CheckboxField,
  SelectField,
  TextField,
  type ButtonProps,
  type CheckboxFieldProps,
  type SelectFieldProps,
  type TextFieldProps,
} from "./components/Fields.tsx";
export { Chart, type ChartProps, type Datum } from "./chart/Chart.tsx";
export { labelStride, niceTicks } from "./chart/scale.ts";
