// Serves the single-page web app (ui/, built by `npm run build:ui` into ui/dist) at `/`.
//
// Files under ui/dist are read on each request, so a rebuild shows without a restart. Hashed
// assets (ui/dist/assets/*) never change under the same name and are cached for a year;
// index.html must be revalidated, so that a new build is picked up. Any other GET that is not an
// API path answers index.html: the app routes on the client, and a reload of a deep link such as
// /targets?pool=node must work. API paths keep their 404 JSON answers.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** DEFAULT_UI_DIR is ui/dist in this checkout (the output of `npm run build:ui`). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL("../../ui/dist", import.meta.url));

/** UiOptions configure registerUi. */
export interface UiOptions {
  /** dir holds the built app (index.html and assets/); default DEFAULT_UI_DIR. */
  readonly dir?: string;
}

/**
 * API_PREFIXES are the paths that never fall back to the app: unknown routes under them answer
 * Fastify's 404 JSON as before. Each entry matches the path itself and everything below it.
 */
const API_PREFIXES = [
  "/api",
  "/loki",
  "/metrics",
  "/-",
  "/federate",
  "/v1",
  "/otlp",
  "/debug",
  "/ingest",
  "/prometheus",
  "/alertmanager",
];

/** CONTENT_TYPES maps file extensions of a Vite build to their content types. */
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".wasm": "application/wasm",
};

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

/** isApiPath reports whether path (without query) belongs to an API rather than to the app. */
export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

/**
 * registerUi adds GET (and HEAD) routes for `/` and `/*` that serve the built app. Specific
 * routes registered before or after it win over the wildcard, so it can be called anywhere
 * before the server listens.
 */
export function registerUi(web: FastifyInstance, opts: UiOptions = {}): void {
  const dir = normalize(opts.dir ?? DEFAULT_UI_DIR);
  const handler = (req: FastifyRequest, reply: FastifyReply) => serve(dir, req, reply);
  web.get("/", handler);
  web.get("/*", handler);
}

async function serve(dir: string, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const notFound = () => {
    reply.callNotFound();
    return reply;
  };
  const rawPath = req.url.split("?")[0]!;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return notFound();
  }
  if (isApiPath(path) || path.includes("\0")) return notFound();

  const index = join(dir, "index.html");
  const indexStat = await statFile(index);
  if (!indexStat) return notBuilt(reply, dir);

  // Resolve the path inside dir; ".." segments are normalized away and checked.
  const file = normalize(join(dir, path));
  if (file !== dir && !file.startsWith(dir + sep)) return notFound();
  const fileStat = path === "/" ? undefined : await statFile(file);
  if (fileStat) {
    const cache = path.startsWith("/assets/") ? IMMUTABLE : REVALIDATE;
    return sendFile(req, reply, file, fileStat, cache);
  }
  // A missing hashed asset is an old build's chunk: answering HTML for it would only confuse
  // the browser, so it gets a plain 404. Other paths are client-side routes.
  if (path.startsWith("/assets/") || /\.(js|css|map)$/.test(path)) {
    return reply.code(404).type("text/plain; charset=utf-8").send("not found\n");
  }
  return sendFile(req, reply, index, indexStat, REVALIDATE);
}

interface FileInfo {
  size: number;
  mtimeMs: number;
}

async function statFile(file: string): Promise<FileInfo | undefined> {
  try {
    const s = await stat(file);
    return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(
  req: FastifyRequest,
  reply: FastifyReply,
  file: string,
  info: FileInfo,
  cacheControl: string,
): FastifyReply {
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  reply
    .header("Cache-Control", cacheControl)
    .header("ETag", etag)
    .header("Last-Modified", new Date(info.mtimeMs).toUTCString())
    .header("X-Content-Type-Options", "nosniff")
    .type(CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream");
  const inm = req.headers["if-none-match"];
  if (inm !== undefined && inm.split(",").some((t) => t.trim() === etag)) {
    return reply.code(304).send();
  }
  reply.header("Content-Length", info.size);
  if (req.method === "HEAD") return reply.send();
  return reply.send(createReadStream(file));
}

function notBuilt(reply: FastifyReply, dir: string): FastifyReply {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>Vigil</h1>
<p>The web UI is not built: <code>${escapeHtml(dir)}</code> has no <code>index.html</code>.</p>
<p>Build it with <code>npm run build:ui</code> (or start Vigil with <code>npm start</code>, which
builds it first), then reload this page.</p>
<p>The APIs work without it: <a href="/api/v1/status/buildinfo">/api/v1/status/buildinfo</a>,
<a href="/metrics">/metrics</a>.</p>
</body></html>
`;
  return reply
    .code(200)
    .header("Cache-Control", "no-store")
    .type("text/html; charset=utf-8")
    .send(html);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
