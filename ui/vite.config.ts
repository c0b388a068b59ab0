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
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target, ws: p === "/loki" }])),
  },
});
