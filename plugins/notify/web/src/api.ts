// notify's API types, generated from its Rust types (`api.gen.ts`, `cargo xtask codegen`), under the names the
// screens use. Fields a request may omit (serde defaults) are optional in the generated types; every answer
// carries them (`Sent`), and the editor always sends a full TargetInput.

import type { Sent } from "@temps-bundle/kit";
import type * as Api from "./api.gen.ts";

export type Format = Api.Format;
export type DeliveryStatus = Api.Status;
/** What the editor sends (`POST /targets`, and as a merge patch to `PATCH /targets/{id}`). */
export type TargetInput = Sent<Api.TargetInput>;
export type Target = Sent<Api.Target>;
/** `POST /targets` answers with the secret, once. */
export type CreatedTarget = Sent<Api.CreatedTarget>;
export type Delivery = Sent<Api.Delivery>;
export type Settings = Sent<Api.Settings>;

export const FORMATS: { value: Format; label: string }[] = [
  { value: "slack", label: "Slack incoming webhook" },
  { value: "discord", label: "Discord webhook" },
  { value: "json", label: "JSON (signed)" },
];
