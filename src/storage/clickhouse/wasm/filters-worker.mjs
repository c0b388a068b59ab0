// The line filter worker's entry (filters.ts WorkerFilters). A worker does not inherit the tsx
// loader of its process (node --import tsx, or bin/vigil.mjs's register): it registers its own,
// as bin/vigil.mjs does, and runs the TypeScript sources through it.
import { register } from "tsx/esm/api";

register();
await import("./filters-thread.ts");
