// The retry settings (`GET|PATCH /settings`): attempts per delivery and the exponential backoff.
import { useEffect, useState } from "react";
import { Button, Card, ErrorState, Loading, sendJson, TextField, useApi } from "@temps-bundle/kit";
import type { Settings } from "./api.ts";

export function SettingsPage() {
  const settings = useApi<Settings>("/settings");
  const [form, setForm] = useState({ max_attempts: "", base_backoff_ms: "", max_backoff_ms: "" });
  const [error, setError] = useState<Error>();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    const s = settings.data;
    if (s) setForm({ max_attempts: String(s.max_attempts), base_backoff_ms: String(s.base_backoff_ms), max_backoff_ms: String(s.max_backoff_ms) });
  }, [settings.data]);

  if (settings.error) return <ErrorState error={settings.error} onRetry={settings.reload} />;
  if (!settings.data) return <Loading />;

  async function save() {
    setError(undefined);
    setSaved(false);
    try {
      const patch = { max_attempts: Number(form.max_attempts), base_backoff_ms: Number(form.base_backoff_ms), max_backoff_ms: Number(form.max_backoff_ms) };
      await sendJson<Settings>("PATCH", "/settings", patch);
      setSaved(true);
      settings.reload();
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    }
  }

  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  return (
    <Card title="Retries">
      <TextField label="Attempts per delivery" type="number" value={form.max_attempts} onChange={set("max_attempts")} hint="1 to 20; the first attempt counts." />
      <TextField label="First backoff (ms)" type="number" value={form.base_backoff_ms} onChange={set("base_backoff_ms")} hint="Doubles after each failed attempt." />
      <TextField label="Longest backoff (ms)" type="number" value={form.max_backoff_ms} onChange={set("max_backoff_ms")} />
      {error && <ErrorState error={error} title="Not saved" />}
      <div className="tk-row">
        <Button variant="primary" onClick={() => void save()}>
          Save
        </Button>
        {saved && <span className="tk-muted">Saved.</span>}
      </div>
    </Card>
  );
}
