// deploy-pulse's API types, generated from its Rust types (`api.gen.ts`, `cargo xtask codegen`), under the names
// the screens use. Every field of an answer is sent (`Sent`), except `event_count`, which only deployment lists
// carry.

import type { Sent } from "@temps-bundle/kit";
import type * as Api from "./api.gen.ts";

export type Health = Api.Health;
export type DeploymentState = Api.DeploymentState;
export type WindowInfo = Api.Window;
export type Metrics = Sent<Api.Metrics>;
export type Deployment = Sent<Omit<Api.Deployment, "event_count">> & Pick<Api.Deployment, "event_count">;
export type Environment = Sent<Api.Environment>;
export type Project = Sent<Api.Project>;
export type OverviewResponse = Sent<Api.Overview>;
export type Day = Api.Day;
export type ProjectDetail = Sent<Api.ProjectDetail>;
export type DeploymentPage = Sent<Api.DeploymentPage>;
export type BackfillReport = Sent<Api.BackfillReport>;
