export type { WebOptions } from "./server.ts";
export { createWebServer } from "./server.ts";
