// Browser test: the real `temps-bundle` under the dev host, driven by headless Chromium the way a person uses it.
// The shell at /api/x/temps-bundle/ui/ must list every member and their health, and switch a member off and on;
// each running member's UI must load without console errors or failed asset requests and show data from its own API. Screenshots go to target/screenshots/.
// Needs: `cargo xtask ui` and `cargo build -p temps-bundle -p temps-bundle-devhost` (cargo xtask ci does both).
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launchBrowser, watchedPage } from "./support/browser.mjs";
import { binaries, startDevhost } from "./support/devhost.mjs";
import { startReceiver, startSite } from "./support/sites.mjs";

const ROOT = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const NAME = "temps-bundle";
const { devhost, bundle, target } = binaries(ROOT);
const SCREENSHOTS = path.join(target, "screenshots");

/**
 * Per-member checks beyond "loads cleanly and fetched from its API": `prepare` feeds the member through the dev
 * host, `check` looks for what a person would look for on the page (or in the shell's frame).
 */
const MEMBER_CHECKS = {
  hello: {
    async prepare() {
      for (const [event_type, project_id] of [
        ["deployment.succeeded", 7],
        ["deployment.succeeded", 8],
        ["deployment.failed", 7],
      ]) {
        await host.fireEvent({ event_type, project_id, data: { project_id, deployment_id: 1, environment_id: 1 } });
      }
    },
    async check(page) {
      await assertShows(page.getByTestId("greeting"), /^Hello, .+!$/);
      const rows = page.locator("table.tk-table tbody tr");
      await rows.nth(2).waitFor({ timeout: 15_000 });
      assert.equal(await rows.count(), 3, "the three events fired are listed");
      assert.equal(await page.locator('svg.tk-chart[aria-label="Events by type"] rect').count(), 2, "one bar per event type");
    },
  },
  "deploy-pulse": {
    // hello's events reach deploy-pulse too; its start-up backfill brings the dev host's fixture projects.
    async check(page) {
      await assertShows(page.getByText("billing-api", { exact: true }), /^billing-api$/);
      await assertShows(page.getByText("failing", { exact: true }).first(), /^failing$/);
    },
  },
  "site-audit": {
    // A real audit of the local test site, run before the page opens: the report list links to it, and the report
    // shows the broken link with its referrer.
    async prepare() {
      const audit = await sendJson("POST", "/site-audit/audits", { url: site.url("/") }, 202);
      await until(async () => (await getJson(`/site-audit/audits/${audit.id}`)).audit.status === "completed", "the audit completes");
    },
    async check(page) {
      await page.getByRole("link", { name: site.url(""), exact: true }).first().click();
      await assertShows(page.getByTestId("audit-summary"), /completed\s+4 pages/);
      const broken = page.getByTestId("group-broken_link");
      await assertShows(broken, new RegExp(escape(site.url("/old-page"))));
      assert.match(await broken.innerText(), new RegExp(`answers 404; linked from ${escape(site.url("/"))}`));
    },
  },
  indexnow: {
    // A key, the site serving its file, and a real submission to the local receiver.
    async prepare() {
      await sendJson("PATCH", "/indexnow/settings", { endpoint: receiver.endpoint, discovery: { requests_per_second: 0 } }, 200);
      const { key } = await sendJson("POST", "/indexnow/key", undefined, 200);
      site.serveKey(key);
      await sendJson("POST", "/indexnow/submissions", { url: site.url("/") }, 202);
      await until(async () => (await getJson("/indexnow/submissions")).submissions[0]?.status === "submitted", "the submission is sent");
      assert.equal(receiver.bodies.length, 1, "the receiver got one batch");
    },
    async check(page) {
      const row = page.locator("table.tk-table tbody tr").filter({ hasText: site.url("") }).first();
      await assertShows(row.locator(".tk-badge"), /^submitted$/);
      await row.getByRole("link").first().click();
      const urls = page.getByTestId("submitted-urls");
      await assertShows(urls, new RegExp(escape(site.url("/docs"))));
      assert.deepEqual((await urls.innerText()).split("\n").sort(), ["/", "/docs", "/pricing"].map((p) => site.url(p)).sort());
    },
  },
  notify: {
    async prepare() {
      const response = await fetch(`${host.base}/notify/targets`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Team chat", url: "https://hooks.example.com/deploys", format: "json" }),
      });
      assert.equal(response.status, 201, `creating a notify target: ${await response.text()}`);
    },
    async check(page) {
      await assertShows(page.getByText("Team chat", { exact: true }).first(), /^Team chat$/);
    },
  },
};

let host;
let browser;
let site;
let receiver;

before(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  site = await startSite();
  receiver = await startReceiver();
  // The crawlers may reach the local test servers (127.0.0.1) and nothing else that is not public.
  host = await startDevhost({ devhost, bundle, name: NAME, env: { TEMPS_BUNDLE_ALLOW_HOSTS: "127.0.0.1" } });
  browser = await launchBrowser();
  for (const member of runningWithUi()) await MEMBER_CHECKS[member.name]?.prepare?.();
});

after(async () => {
  await browser?.close();
  await host?.stop();
  await site?.close();
  await receiver?.close();
});

describe("the bundle's UIs in a browser", { timeout: 120_000 }, () => {
  test("the shell lists every member with its version and status", async () => {
    const members = host.manifest.bundle.members;
    assert.ok(members.length > 0, "the bundle has members");
    const watched = await watchedPage(browser);
    try {
      await watched.page.goto(`${host.base}/ui/`, { waitUntil: "networkidle" });
      const rows = watched.page.locator("table.tk-table tbody tr");
      await rows.first().waitFor();
      assert.equal(await rows.count(), members.length);
      for (const member of members) {
        const row = rows.filter({ hasText: member.name });
        await row.first().waitFor();
        const text = await row.first().innerText();
        assert.match(text, new RegExp(escape(member.version)), `${member.name}'s row shows its version`);
        assert.match(text, new RegExp(escape(member.status)), `${member.name}'s row shows its status`);
      }
      await watched.page.screenshot({ path: path.join(SCREENSHOTS, "shell.png"), fullPage: true });
      assert.deepEqual(watched.problems, []);
    } finally {
      await watched.close();
    }
  });

  test("the shell opens a member's UI in a frame", async () => {
    const member = runningWithUi()[0];
    assert.ok(member, "at least one running member has a UI");
    const watched = await watchedPage(browser);
    try {
      await watched.page.goto(`${host.base}/ui/`, { waitUntil: "networkidle" });
      await watched.page.locator(`a[data-member="${member.name}"]`).click();
      const frame = watched.page.frameLocator("iframe");
      await frame.locator("h1").first().waitFor();
      await MEMBER_CHECKS[member.name]?.check(frame);
      await watched.page.screenshot({ path: path.join(SCREENSHOTS, `shell-${member.name}.png`), fullPage: true });
      assert.deepEqual(watched.problems, []);
    } finally {
      await watched.close();
    }
  });

  test("the shell shows member health and disables then enables a member", async () => {
    const name = "hello";
    const watched = await watchedPage(browser);
    try {
      await watched.page.goto(`${host.base}/ui/`, { waitUntil: "networkidle" });
      const card = watched.page.locator(`[data-member-health="${name}"]`);
      await card.waitFor();
      assert.match(await card.innerText(), /Requests\/min[\s\S]*Error rate[\s\S]*p99[\s\S]*Stalls/);
      const row = watched.page.locator("table.tk-table tbody tr").filter({ hasText: name }).first();

      await card.locator('button[data-action="disable"]').click();
      await card.locator('button[data-action="enable"]').waitFor();
      await assertShows(row.locator(".tk-badge"), /^disabled$/);
      await assertShows(card.locator(".tk-badge"), /^disabled$/);
      const refused = await fetch(`${host.base}/${name}/health`);
      assert.equal(refused.status, 503);
      assert.match(await refused.text(), /disabled by an administrator/);
      await watched.page.screenshot({ path: path.join(SCREENSHOTS, "shell-disabled.png"), fullPage: true });

      await card.locator('button[data-action="enable"]').click();
      await card.locator('button[data-action="disable"]').waitFor();
      await assertShows(row.locator(".tk-badge"), /^running$/);
      assert.equal((await fetch(`${host.base}/${name}/health`)).status, 200);
      assert.deepEqual(watched.problems, []);
    } finally {
      await watched.close();
    }
  });

  test("every running member's UI loads cleanly and shows data from its own API", async (t) => {
    const members = runningWithUi();
    assert.ok(members.length > 0, "at least one running member has a UI");
    for (const member of members) {
      await t.test(member.name, async () => {
        const watched = await watchedPage(browser);
        try {
          const ui = `${host.base}/${member.name}/ui/`;
          const response = await watched.page.goto(ui, { waitUntil: "networkidle" });
          assert.equal(response?.status(), 200, `${ui} answers 200`);
          assert.equal(
            await watched.page.locator('meta[name="temps-bundle-placeholder"]').count(),
            0,
            `${member.name} embeds its built UI, not the placeholder (run cargo xtask ui, then rebuild)`,
          );
          await MEMBER_CHECKS[member.name]?.check(watched.page);
          const apiCalls = watched.responses.filter((r) => isOwnApi(r.url(), member.name) && r.ok());
          assert.ok(apiCalls.length > 0, `${member.name}'s UI fetched from ${host.base}/${member.name}/`);
          await watched.page.screenshot({ path: path.join(SCREENSHOTS, `${member.name}.png`), fullPage: true });
          assert.deepEqual(watched.problems, []);
        } finally {
          await watched.close();
        }
      });
    }
  });
});

function runningWithUi() {
  return host.manifest.bundle.members.filter((m) => m.status === "running" && m.ui);
}

function isOwnApi(url, name) {
  const prefix = `${host.base}/${name}/`;
  return url.startsWith(prefix) && !url.startsWith(`${prefix}ui/`);
}

/** A JSON request through the dev host's proxy (as the admin it signs in), expecting `status`. */
async function sendJson(method, path, body, status) {
  const init = { method, headers: { "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${host.base}${path}`, init);
  const text = await response.text();
  assert.equal(response.status, status, `${method} ${path}: ${text}`);
  return text === "" ? undefined : JSON.parse(text);
}

async function getJson(path) {
  return sendJson("GET", path, undefined, 200);
}

/** Polls `condition` every 100 ms for up to 20 s. */
async function until(condition, what) {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function assertShows(locator, pattern) {
  await locator.waitFor({ timeout: 15_000 });
  const text = (await locator.innerText()).trim();
  assert.match(text, pattern);
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
