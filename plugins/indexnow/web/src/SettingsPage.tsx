// The key (generate, where its file must be served, check it) and the settings.
import { useEffect, useState } from "react";
import { Button, Card, ErrorState, Loading, SelectField, sendJson, TextField, useApi } from "@temps-bundle/kit";
import type { KeyCheck, KeyInfo, Settings } from "./api.ts";

const ON_DEPLOY = [
  { value: "production" as const, label: "Production deployments" },
  { value: "all" as const, label: "Every deployment" },
  { value: "off" as const, label: "Never (manual only)" },
];

export function SettingsPage() {
  return (
    <>
      <KeyCard />
      <SettingsCard />
    </>
  );
}

function KeyCard() {
  const [site, setSite] = useState("");
  const key = useApi<KeyInfo>("/key", { site: site.trim() === "" ? undefined : site });
  const [check, setCheck] = useState<KeyCheck>();
  const [error, setError] = useState<Error>();

  async function run(action: () => Promise<unknown>) {
    setError(undefined);
    try {
      await action();
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    }
  }

  return (
    <Card title="Key">
      {key.data && (
        <>
          <p data-testid="key">{key.data.key ? <code>{key.data.key}</code> : "No key yet."}</p>
          <p className="tk-muted">{key.data.instructions}</p>
        </>
      )}
      <div className="tk-row" style={{ alignItems: "flex-end" }}>
        <TextField label="Site" type="url" value={site} onChange={setSite} placeholder="https://example.com/" hint="To see the exact key file URL and check it." />
        <Button onClick={() => void run(async () => setCheck(await sendJson<KeyCheck>("POST", "/key/check", { site })))} disabled={site.trim() === ""}>
          Check key file
        </Button>
        <Button variant="primary" onClick={() => void run(async () => { await sendJson("POST", "/key"); key.reload(); })}>
          {key.data?.key ? "Generate a new key" : "Generate key"}
        </Button>
      </div>
      {key.data?.file_url && (
        <p>
          Serve it at <code>{key.data.file_url}</code>
        </p>
      )}
      {check && <p data-testid="key-check">{check.ok ? `Reachable: ${check.url}` : `Not reachable: ${check.problem}`}</p>}
      {error && <ErrorState error={error} />}
    </Card>
  );
}

function SettingsCard() {
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
      const { key: _key, ...rest } = value;
      await sendJson("PATCH", "/settings", rest);
      setSaved(true);
      settings.reload();
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    }
  }

  const num = (k: "batch_size" | "max_attempts" | "base_backoff_ms" | "stale_days") => (v: string) => setForm({ ...form, [k]: Number(v) });
  return (
    <Card title="Settings">
      <TextField label="Endpoint" type="url" value={form.endpoint} onChange={(endpoint) => setForm({ ...form, endpoint })} hint="Any IndexNow engine shares submissions with the others." />
      <SelectField label="Submit after" value={form.on_deploy} options={ON_DEPLOY} onChange={(on_deploy) => setForm({ ...form, on_deploy })} />
      <TextField
        label="Production environments"
        value={form.production_environments.join(", ")}
        onChange={(v) => setForm({ ...form, production_environments: v.split(",").map((s) => s.trim()).filter((s) => s !== "") })}
      />
      <TextField label="URLs per request" type="number" value={String(form.batch_size)} onChange={num("batch_size")} hint="At most 10 000 (the protocol's limit)." />
      <TextField label="Attempts per batch" type="number" value={String(form.max_attempts)} onChange={num("max_attempts")} hint="429 and 5xx answers are retried; other 4xx are not." />
      <TextField label="First backoff (ms)" type="number" value={String(form.base_backoff_ms)} onChange={num("base_backoff_ms")} />
      <TextField label="Suggest pages not sent for (days)" type="number" value={String(form.stale_days)} onChange={num("stale_days")} />
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
