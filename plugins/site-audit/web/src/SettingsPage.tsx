// site-audit's settings (`GET|PATCH /settings`): which deployments trigger audits, and the crawl's bounds.
import { useEffect, useState } from "react";
import { Button, Card, CheckboxField, ErrorState, Loading, SelectField, sendJson, TextField, useApi } from "@temps-bundle/kit";
import type { CrawlLimits, Settings } from "./api.ts";

type LimitKey = keyof Pick<
  CrawlLimits,
  "max_pages" | "max_depth" | "max_page_bytes" | "max_duration_ms" | "request_timeout_ms" | "concurrency" | "requests_per_second"
>;

const LIMITS: { key: LimitKey; label: string; hint?: string }[] = [
  { key: "max_pages", label: "Pages per audit" },
  { key: "max_depth", label: "Link depth" },
  { key: "max_page_bytes", label: "Bytes read per page", hint: "Larger pages are checked up to this and marked truncated." },
  { key: "max_duration_ms", label: "Time per audit (ms)" },
  { key: "request_timeout_ms", label: "Time per request (ms)" },
  { key: "concurrency", label: "Requests in flight" },
  { key: "requests_per_second", label: "Requests per second", hint: "0 = no limit." },
];

const ON_DEPLOY = [
  { value: "production" as const, label: "Production deployments" },
  { value: "all" as const, label: "Every deployment" },
  { value: "off" as const, label: "Never (manual audits only)" },
];

export function SettingsPage() {
  const settings = useApi<Settings>("/settings");
  const [form, setForm] = useState<Settings>();
  const [error, setError] = useState<Error>();
  const [saved, setSaved] = useState(false);

  useEffect(() => setForm(settings.data), [settings.data]);

  if (settings.error) return <ErrorState error={settings.error} onRetry={settings.reload} />;
  if (!form) return <Loading />;

  async function save(value: Settings) {
    setError(undefined);
    setSaved(false);
    try {
      await sendJson<Settings>("PATCH", "/settings", value);
      setSaved(true);
      settings.reload();
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    }
  }

  const setLimit = (key: LimitKey) => (value: string) => setForm({ ...form, limits: { ...form.limits, [key]: Number(value) } });
  return (
    <Card title="When and how far to crawl">
      <SelectField label="Audit after" value={form.on_deploy} options={ON_DEPLOY} onChange={(on_deploy) => setForm({ ...form, on_deploy })} />
      <TextField
        label="Production environments"
        value={form.production_environments.join(", ")}
        onChange={(v) => setForm({ ...form, production_environments: v.split(",").map((s) => s.trim()).filter((s) => s !== "") })}
        hint="Comma-separated environment names."
      />
      <CheckboxField label="Honour robots.txt" checked={form.respect_robots} onChange={(respect_robots) => setForm({ ...form, respect_robots })} />
      {LIMITS.map((l) => (
        <TextField key={l.key} label={l.label} type="number" value={String(form.limits[l.key])} onChange={setLimit(l.key)} hint={l.hint} />
      ))}
      <TextField label="Reports kept per site" type="number" value={String(form.keep_audits)} onChange={(v) => setForm({ ...form, keep_audits: Number(v) })} />
      {error && <ErrorState error={error} title="Not saved" />}
      <div className="tk-row">
        <Button variant="primary" onClick={() => void save(form)}>
          Save
        </Button>
        {saved && <span className="tk-muted">Saved.</span>}
      </div>
    </Card>
  );
}
