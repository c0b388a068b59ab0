// chdb lists per-platform optional packages (@chdb/lib-<os>-<cpu>) of which only some are
// published; npm then leaves the missing ones out of package-lock.json and `npm ci` refuses the
// lock as out of sync. This adds inert entries for them (optional, for their own os/cpu, so npm
// never fetches them here). Run after `npm install` changes the lock: node scripts/fix-lock.mjs
import { readFileSync, writeFileSync } from "node:fs";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const chdb = lock.packages["node_modules/chdb"];
let added = 0;
for (const [name, version] of Object.entries(chdb?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const m = /lib-(darwin|linux)-(x64|arm64)/.exec(name);
  if (!m) continue;
  lock.packages[key] = { version, optional: true, os: [m[1]], cpu: [m[2]] };
  added++;
}
writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n");
console.log(`fix-lock: added ${added} placeholder entries`);
