// The greeting card: `GET /greeting` (optionally for a name typed in), with the visit count and the caller's role.
import { useState } from "react";
import { Card, ErrorState, Loading, StatusBadge, TextField, useApi } from "@temps-bundle/kit";
import type { Greeting } from "./api.ts";

export function GreetingCard() {
  const [name, setName] = useState("");
  const greeting = useApi<Greeting>("/greeting", { name: name.trim() || undefined });
  return (
    <Card title="Greeting">
      <div className="tk-row">
        <TextField label="Greet someone else" value={name} onChange={setName} placeholder="your email by default" />
      </div>
      {greeting.error && <ErrorState error={greeting.error} onRetry={greeting.reload} />}
      {!greeting.data && !greeting.error && <Loading />}
      {greeting.data && (
        <div>
          <p data-testid="greeting" style={{ fontSize: "var(--tk-text-xl)", margin: "var(--tk-space-4) 0 var(--tk-space-2)" }}>
            {greeting.data.message}
          </p>
          <p className="tk-muted">
            Visit number {greeting.data.visits} · caller role{" "}
            <StatusBadge status={greeting.data.caller ?? "anonymous"} tone="neutral" />
          </p>
        </div>
      )}
    </Card>
  );
}
