export type { AppOptions, Overrides, Reloader } from "./app.ts";
export { App } from "./app.ts";
export { openStorage, EMBEDDED_DATABASE } from "./storage.ts";
