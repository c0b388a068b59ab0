#!/usr/bin/env node
// Entry point for the `vigil` command. Vigil runs its TypeScript sources through the tsx loader,
// so `npx vigil` works straight after `npm ci` with no build step.
import { register } from "tsx/esm/api";

register();
// First, before the heap grows: the garbage collector's settings for a long-running server.
const { tuneGarbageCollector } = await import("../src/util/runtime/gc.ts");
tuneGarbageCollector();
const { main } = await import("../src/cmd/vigil.ts");
const code = await main(process.argv.slice(2));
// Native handles (the embedded engine's threads) may outlive a clean shutdown; exit explicitly
// once stdout has drained.
process.stdout.write("", () => process.exit(code));
