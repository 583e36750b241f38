// Starts the real bundle binary under the dev host (`temps-devhost`) on a free port for the browser test,
// waits until the bundle answers through the host's proxy, and stops both afterwards.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Paths of the binaries the test drives, under Cargo's target folder. */
export function binaries(root) {
  const target = process.env.CARGO_TARGET_DIR ?? path.join(root, "target");
  return {
    devhost: path.join(target, "debug", "temps-devhost"),
    // The dev bundle (bundle/default.toml plus the example plugins), generated and built by the xtask.
    bundle: path.join(target, "debug", "temps-bundle-gen-dev"),
    target,
  };
}

/**
 * Runs `temps-devhost --port <free> --name <name> -- <bundle>` and resolves once
 * `GET /api/x/<name>/_bundle/manifest` answers 200. `env` is added to the environment the bundle inherits. The handle has `base`, `manifest`, `output()`, `fireEvent()`, `stop()`.
 */
export async function startDevhost({ devhost, bundle, name, env = {}, timeoutMs = 60_000 }) {
  for (const binary of [devhost, bundle]) {
    if (!existsSync(binary)) {
      throw new Error(`${binary} is missing: run \`cargo xtask ci --from 'build binaries'\` first`);
    }
  }
  const port = await freePort();
  const child = spawn(devhost, ["--port", String(port), "--name", name, "--", bundle], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn", ...env },
  });
  const lines = [];
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => lines.push(String(chunk)));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));

  const origin = `http://127.0.0.1:${port}`;
  const base = `${origin}/api/x/${name}`;
  const handle = {
    origin,
    base,
    manifest: undefined,
    output: () => lines.join(""),
    stop: () => stop(child, exited),
    fireEvent: (event) => fireEvent(origin, event),
  };
  try {
    handle.manifest = await waitForManifest(`${base}/_bundle/manifest`, exited, timeoutMs);
  } catch (error) {
    await handle.stop();
    throw new Error(`${error.message}\n--- temps-devhost output ---\n${handle.output()}`);
  }
  return handle;
}

async function waitForManifest(url, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let finished;
  exited.then((status) => (finished = status));
  let last = "no answer";
  while (Date.now() < deadline) {
    if (finished) throw new Error(`temps-devhost exited early (${JSON.stringify(finished)})`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return await response.json();
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/** Delivers a platform event through the dev host (`POST /_devhost/events`), as Temps would. */
async function fireEvent(origin, event) {
  const response = await fetch(`${origin}/_devhost/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(event),
  });
  if (!response.ok) throw new Error(`firing ${event.event_type} failed: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function stop(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const result = await Promise.race([exited, sleep(5_000).then(() => "timeout")]);
  if (result === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
