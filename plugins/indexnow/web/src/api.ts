// indexnow's API types, generated from its Rust types (`api.gen.ts`, `cargo xtask codegen`), under the names the
// screens use. Fields a request may omit (serde defaults) are optional in the generated types; every answer
// carries them (`Sent`).

import type { Sent, Tone } from "@temps-bundle/kit";
import type * as Api from "./api.gen.ts";

export type SubmissionStatus = Api.SubmissionStatus;
export type Submission = Sent<Api.Submission>;
export type SubmissionList = Sent<Api.SubmissionList>;
export type SubmissionDetail = Sent<Api.SubmissionDetail>;
export type Suggestion = Sent<Api.Suggestion>;
export type SuggestionList = Sent<Api.SuggestionList>;
export type KeyInfo = Sent<Api.KeyInfo>;
export type KeyCheck = Sent<Api.KeyCheck>;
export type Settings = Sent<Api.Settings>;

/** The badge tone of a submission status. */
export function statusTone(status: SubmissionStatus): Tone {
  if (status === "submitted") return "success";
  if (status === "blocked" || status === "failed") return "danger";
  if (status === "queued" || status === "running" || status === "interrupted") return "warning";
  return "neutral";
}
