// Builds the web app (ui/ → ui/dist) when ui/dist is missing or older than any source file, so
// that `npm start` and the end-to-end tests always serve a current build without paying for a
// rebuild when nothing changed. `--force` always builds.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ui = fileURLToPath(new URL(".", import.meta.url));
const root = join(ui, "..");
const builtIndex = join(ui, "dist", "index.html");

function newestMtimeMs(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(p)) newest = Math.max(newest, newestMtimeMs(join(p, name)));
  return newest;
}

const sources = ["src", "public", "index.html", "vite.config.ts", "tsconfig.json"]
  .map((p) => join(ui, p))
  .filter((p) => existsSync(p));
const force = process.argv.includes("--force");
const builtMs = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : -1;
const sourceMs = Math.max(...sources.map(newestMtimeMs));

if (!force && builtMs >= sourceMs) {
  console.log("ui/dist is up to date");
  process.exit(0);
}
console.log(builtMs < 0 ? "building ui/dist (missing)" : "building ui/dist (sources changed)");
const vite = join(root, "node_modules", "vite", "bin", "vite.js");
const res = spawnSync(
  process.execPath,
  [vite, "build", "--config", join(ui, "vite.config.ts"), "--logLevel", "warn"],
  { stdio: "inherit", cwd: root },
);
process.exit(res.status ?? 1);
