// The API client: finds the member's API base from the page URL (everything before `/ui/`) and fetches JSON from it.
// No UI hard-codes `/api/x/<name>`: the same build works in composite mode, split mode, the dev host and Vite's dev server.

/** A problem document (`application/problem+json`) as the SDK answers errors. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
}

/** A failed request: the HTTP status and, when the server sent one, its problem document. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;

  constructor(status: number, message: string, problem?: Problem) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }
}

/** Query parameters; `undefined` values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/**
 * The API base of the page: `/api/x/bundle/hello/ui/` → `/api/x/bundle/hello`.
 * Outside a `/ui/` path (Vite's dev server) the page's own directory is the base.
 */
export function apiBase(pathname: string = window.location.pathname): string {
  const at = pathname.lastIndexOf("/ui/");
  if (at >= 0) return pathname.slice(0, at);
  if (pathname.endsWith("/ui")) return pathname.slice(0, -"/ui".length);
  return pathname.replace(/\/+$/, "");
}

/** The absolute path of an API route: `apiUrl("/greeting", { name: "x" })` → `<base>/greeting?name=x`. */
export function apiUrl(path: string, query?: Query, base: string = apiBase()): string {
  const route = path.startsWith("/") ? path : `/${path}`;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(key, String(value));
  }
  const search = params.toString();
  return `${base}${route}${search ? `?${search}` : ""}`;
}

/** `GET` a JSON document from the member's API. */
export function getJson<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  return request<T>("GET", apiUrl(path, query), undefined, signal);
}

/** Send a JSON body (`POST`, `PATCH`, `PUT`, `DELETE`) and read the JSON answer (`undefined` for 204). */
export function sendJson<T>(method: "POST" | "PATCH" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T> {
  return request<T>(method, apiUrl(path), body);
}

async function request<T>(method: string, url: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const init: RequestInit = { method, headers, credentials: "same-origin" };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (signal) init.signal = signal;
  const response = await fetch(url, init);
  if (!response.ok) throw await errorOf(response, method, url);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function errorOf(response: Response, method: string, url: string): Promise<ApiError> {
  const type = response.headers.get("content-type") ?? "";
  let problem: Problem | undefined;
  if (type.includes("json")) {
    problem = (await response.json().catch(() => undefined)) as Problem | undefined;
  }
  const reason = problem?.detail ?? problem?.title ?? response.statusText;
  return new ApiError(response.status, `${method} ${url} failed: ${response.status} ${reason}`.trim(), problem);
}

/**
 * An answer's type, from its type generated from the member's OpenAPI document (`cargo xtask codegen`): serde
 * sends every field of an answer (`null` when empty), so fields the schema marks optional (Rust `Option`s,
 * `#[serde(default)]`) are present here, at every depth.
 */
export type Sent<T> = T extends readonly (infer U)[]
  ? Sent<U>[]
  : T extends object
    ? { [K in keyof T]-?: Sent<T[K]> }
    : T;
