// The target editor: create (then show the signing secret once) or change a target; delete from here too.
import { useEffect, useState } from "react";
import { ApiError, Button, Card, CheckboxField, ErrorState, Loading, navigate, SelectField, sendJson, TextField, useApi } from "@temps-bundle/kit";
import { FORMATS, type CreatedTarget, type Format, type Target, type TargetInput } from "./api.ts";

interface Form {
  name: string;
  url: string;
  format: Format;
  events: string;
  project_id: string;
  environment: string;
  enabled: boolean;
}

const EMPTY: Form = { name: "", url: "", format: "slack", events: "deployment.*", project_id: "", environment: "", enabled: true };

export function TargetEditor({ id }: { id?: number }) {
  const existing = useApi<Target>(id === undefined ? null : `/targets/${id}`);
  const [form, setForm] = useState<Form>(EMPTY);
  const [error, setError] = useState<ApiError | Error>();
  const [created, setCreated] = useState<CreatedTarget>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (existing.data) setForm(toForm(existing.data));
  }, [existing.data]);

  if (created) return <SecretOnce target={created} />;
  if (id !== undefined && existing.error) return <ErrorState error={existing.error} onRetry={existing.reload} />;
  if (id !== undefined && !existing.data) return <Loading />;

  const set = <K extends keyof Form>(key: K) => (value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const fieldError = (field: string) => (error instanceof ApiError && error.problem?.detail?.startsWith(`${field}:`) ? error.problem.detail : undefined);

  async function save() {
    setSaving(true);
    setError(undefined);
    try {
      if (id === undefined) setCreated(await sendJson<CreatedTarget>("POST", "/targets", toInput(form)));
      else {
        await sendJson<Target>("PATCH", `/targets/${id}`, toInput(form));
        navigate("/");
      }
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    } finally {
      setSaving(false);
    }
  }

  async function remove() {
    if (id === undefined || !window.confirm(`Delete target "${form.name}" and its delivery log?`)) return;
    try {
      await sendJson("DELETE", `/targets/${id}`);
      navigate("/");
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    }
  }

  const unplaced = error && !["name", "url", "events", "format", "project_id", "environment"].some((f) => fieldError(f));
  return (
    <Card title={id === undefined ? "New target" : `Edit ${form.name}`}>
      <TextField label="Name" value={form.name} onChange={set("name")} error={fieldError("name")} />
      <TextField label="Webhook URL" type="url" value={form.url} onChange={set("url")} placeholder="https://hooks.slack.com/services/…" error={fieldError("url")} />
      <SelectField label="Format" value={form.format} options={FORMATS} onChange={set("format")} hint="JSON deliveries are signed with the target's secret (x-temps-notify-signature)." />
      <TextField label="Events" value={form.events} onChange={set("events")} hint="Comma-separated patterns: deployment.failed, deployment.*, *" error={fieldError("events")} />
      <TextField label="Project id (optional)" type="number" value={form.project_id} onChange={set("project_id")} error={fieldError("project_id")} />
      <TextField label="Environment (optional)" value={form.environment} onChange={set("environment")} placeholder="production" error={fieldError("environment")} />
      <CheckboxField label="Enabled" checked={form.enabled} onChange={set("enabled")} />
      {unplaced && <ErrorState error={error} title="Not saved" />}
      <div className="tk-row" style={{ marginTop: "var(--tk-space-4)" }}>
        <Button variant="primary" onClick={() => void save()} disabled={saving}>
          {id === undefined ? "Create" : "Save"}
        </Button>
        <Button onClick={() => navigate("/")}>Cancel</Button>
        {id !== undefined && <Button onClick={() => void remove()}>Delete</Button>}
      </div>
    </Card>
  );
}

/** Shown once after creation: the secret is never returned again. */
function SecretOnce({ target }: { target: CreatedTarget }) {
  return (
    <Card title={`Target "${target.name}" created`}>
      <p>
        This is the target's signing secret. <strong>It is shown only now</strong>: copy it to the receiver, which verifies
        <code> x-temps-notify-signature</code> with it.
      </p>
      <pre className="tk-mono" data-testid="secret" style={{ userSelect: "all", whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
        {target.secret}
      </pre>
      <div className="tk-row">
        <Button onClick={() => void navigator.clipboard?.writeText(target.secret)}>Copy</Button>
        <Button variant="primary" onClick={() => navigate("/")}>
          Done
        </Button>
      </div>
    </Card>
  );
}

function toForm(target: Target): Form {
  return {
    name: target.name,
    url: target.url,
    format: target.format,
    events: target.events.join(", "),
    project_id: target.project_id === null ? "" : String(target.project_id),
    environment: target.environment ?? "",
    enabled: target.enabled,
  };
}

function toInput(form: Form): TargetInput {
  return {
    name: form.name,
    url: form.url,
    format: form.format,
    events: form.events.split(",").map((e) => e.trim()).filter((e) => e.length > 0),
    project_id: form.project_id.trim() === "" ? null : Number(form.project_id),
    environment: form.environment.trim() === "" ? null : form.environment.trim(),
    enabled: form.enabled,
  };
}
