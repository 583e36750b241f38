// hello's API types, generated from its Rust types (`api.gen.ts`, `cargo xtask codegen`), under the names the
// screens use; every field of an answer is sent (`Sent`).

import type { Sent } from "@temps-bundle/kit";
import type * as Api from "./api.gen.ts";

export type Greeting = Sent<Api.Greeting>;
export type Events = Sent<Api.Events>;
export type HelloEvent = Sent<Api.PluginEvent>;
