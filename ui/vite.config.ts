// Vite build of the web app: `npm run build:ui` writes ui/dist, which `vigil start` serves at /
// (src/web/ui.ts). `npx vite --config ui/vite.config.ts` runs a dev server that proxies the APIs
// to a Vigil on VIGIL_URL (default http://127.0.0.1:9791).
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const target = process.env.VIGIL_URL ?? "http://127.0.0.1:9791";
const proxied = ["/api", "/loki", "/metrics", "/-", "/federate"];

// eslint-disable-next-line no-restricted-syntax -- Vite reads its configuration from the default export.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    // Pages load on demand (React.lazy in App.tsx). The libraries get chunks of their own, so
    // that a page fetches only what it uses and a new build of the app keeps the browser's
    // cached copies of them: CodeMirror (Explore, Logs), the PromQL and LogQL grammars (also
    // Rules), uPlot (charts), React (every page).
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: "uplot", test: /node_modules[\\/]uplot[\\/]/ },
            // The grammars alone, which the Rules page uses without an editor.
            {
              name: "lezer",
              test: /node_modules[\\/](@lezer|@prometheus-io[\\/]lezer-promql|@grafana[\\/]lezer-logql)[\\/]/,
            },
            {
              name: "codemirror",
              test: /node_modules[\\/](@codemirror|@prometheus-io|@marijn|crelt|style-mod|w3c-keyname|lru-cache)[\\/]/,
            },
          ],
        },
      },
    },
  },
  server: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target, ws: p === "/loki" }])),
  },
});
