// tempsUiConfig: the Vite configuration every temps-bundle UI uses (relative base, React, precompressed output),
// so a plugin's `vite.config.ts` is one line and all UIs build the same way.
// The kit ships TypeScript sources, not a build: Vite must load configs with `--configLoader runner` (the package
// scripts and the xtask pass it), since its default loader leaves linked packages to Node, which cannot run `.ts`.
import react from "@vitejs/plugin-react";
import { mergeConfig, type ProxyOptions, type UserConfig } from "vite";
import { precompress } from "./precompress.ts";

/**
 * The shared config, merged with `overrides`.
 *
 * Builds use `base: "./"`: the UI is served under `/api/x/<bundle>/<member>/ui/` (or any other mount) and must not
 * know it. The dev server serves the app at `/ui/`; with `TEMPS_DEV_API=http://127.0.0.1:8080/api/x/temps-bundle/hello`
 * every other path is proxied there, so the API client's base (`""` under `/ui/`) reaches the member's routes.
 */
export function tempsUiConfig(overrides: UserConfig = {}): UserConfig {
  const devApi = process.env["TEMPS_DEV_API"];
  const shared: UserConfig = {
    base: "./",
    plugins: [react(), precompress()],
    build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets", chunkSizeWarningLimit: 1024 },
    server: devApi ? { proxy: devProxy(devApi) } : {},
  };
  return mergeConfig(shared, overrides);
}

function devProxy(devApi: string): Record<string, ProxyOptions> {
  const target = new URL(devApi);
  const prefix = target.pathname.replace(/\/+$/, "");
  return {
    "^/(?!ui(/|$))": {
      target: target.origin,
      changeOrigin: true,
      rewrite: (path) => `${prefix}${path}`,
    },
  };
}
