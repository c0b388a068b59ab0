// Grouping keys from push URLs: `/metrics/job/<job>{/<label>/<value>}`, with `@base64` after the
// word `job` or a label name marking a base64url-encoded value (handler/push.go splitLabels and
// decodeBase64 in the Pushgateway).
import { isUtf8 } from "node:buffer";
import { isValidLabelName } from "../model/labels/index.ts";

/** BASE64_SUFFIX marks a base64url-encoded value in a push URL. */
export const BASE64_SUFFIX = "@base64";

/** GroupingError is a push URL that names no valid group; the handler answers 400. */
export class GroupingError extends Error {
  override readonly name = "GroupingError";
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * decodeBase64 decodes "Base 64 Encoding with URL and Filename Safe Alphabet" (RFC 4648) with
 * trailing `=` ignored, as the Pushgateway does; `=` alone is the empty string.
 */
export function decodeBase64(s: string): string {
  const t = s.replace(/=+$/, "");
  if (!BASE64URL.test(t) || t.length % 4 === 1) {
    throw new GroupingError(`illegal base64 data in ${JSON.stringify(s)}`);
  }
  const bytes = Buffer.from(t, "base64url");
  if (!isUtf8(bytes)) throw new GroupingError(`base64 value ${JSON.stringify(s)} is not UTF-8`);
  return bytes.toString("utf8");
}

/**
 * groupingLabels reads the grouping labels from the part of a push URL's path after
 * `/metrics/`, e.g. `job/batch/instance@base64/Zm9v`. Each path segment is percent-decoded on its
 * own. The result always holds `job`, which wins over a `job` label given later in the path.
 */
export function groupingLabels(path: string): Record<string, string> {
  const segs = path.split("/");
  const head = segs[0];
  if (head !== "job" && head !== "job" + BASE64_SUFFIX) {
    throw new GroupingError(`invalid push path ${JSON.stringify("/metrics/" + path)}`);
  }
  const dec = segs.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new GroupingError(`invalid URL escape in ${JSON.stringify(s)}`);
    }
  });
  let job = dec[1] ?? "";
  if (head !== "job") {
    try {
      job = decodeBase64(job);
    } catch (err) {
      throw new GroupingError(
        `invalid base64 encoding in job name ${JSON.stringify(job)}: ${(err as Error).message}`,
      );
    }
  }
  const rest = dec.slice(2);
  // A trailing slash adds no label (labels strings of length <= 1 are empty upstream).
  if (rest.length === 1 && rest[0] === "") rest.pop();
  if (rest.length % 2 !== 0) {
    throw new GroupingError(
      `odd number of components in label string ${JSON.stringify("/" + rest.join("/"))}`,
    );
  }
  const labels: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]!;
    const trimmed = name.endsWith(BASE64_SUFFIX) ? name.slice(0, -BASE64_SUFFIX.length) : name;
    if (!isValidLabelName(trimmed) || trimmed.startsWith("__")) {
      throw new GroupingError(`improper label name ${JSON.stringify(trimmed)}`);
    }
    if (name === trimmed) {
      labels[trimmed] = rest[i + 1]!;
      continue;
    }
    try {
      labels[trimmed] = decodeBase64(rest[i + 1]!);
    } catch (err) {
      throw new GroupingError(
        `invalid base64 encoding for label ${trimmed}=${JSON.stringify(rest[i + 1])}: ${(err as Error).message}`,
      );
    }
  }
  if (job === "") throw new GroupingError("job name is required");
  labels.job = job;
  return labels;
}

/**
 * groupingKey identifies a group by its labels, independent of their order (groupingKeyFor in
 * the Pushgateway's storage).
 */
export function groupingKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\xff${labels[k]}`)
    .join("\xff");
}
