// Mapping between key paths and places in a parsed YAML document, for error positions.
import type { Document, Node, Pair } from "yaml";
import { isAlias, isMap, isScalar, isSeq, visit } from "yaml";

/** formatKeyPath renders a path as `storage.clickhouse.url`, with `[i]` for sequence items. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** A node with a source range; nodes built by the parser always have one. */
type Ranged = Node & { range: NonNullable<Node["range"]> };

function hasRange(node: unknown): node is Ranged {
  return (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) && node.range != null;
}

/** isBlank tells whether a node is an implicit null, as after `key:` with nothing following. */
function isBlank(node: Ranged): boolean {
  return isScalar(node) && node.value === null && node.range[0] === node.range[1];
}

function findPair(node: Node, seg: PropertyKey): Pair | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
}

/**
 * offsetOf returns the source offset an error about path should point at. With key set, it is
 * the key itself (for an unknown key). Otherwise it is the value at path, or the key when the
 * value is an implicit null; when path leads nowhere (a missing key), it is the deepest mapping
 * along path that exists, or that mapping's key when it is an implicit null.
 */
export function offsetOf(doc: Document, path: readonly PropertyKey[], key = false): number {
  let node: unknown = doc.contents;
  let keyNode: unknown = undefined;
  for (const seg of path) {
    if (!hasRange(node)) break;
    if (isSeq(node) && typeof seg === "number" && seg < node.items.length) {
      node = node.items[seg];
      keyNode = undefined;
      continue;
    }
    const pair = findPair(node, seg);
    if (!pair) break;
    node = pair.value;
    keyNode = pair.key;
  }
  if (key && hasRange(keyNode)) return keyNode.range[0];
  if (hasRange(node) && !isBlank(node)) return node.range[0];
  if (hasRange(keyNode)) return keyNode.range[0];
  return 0;
}

/**
 * keyPathAt returns the path of the innermost key whose entry (key and value) spans offset, so
 * that a syntax error can name where in the configuration it is. An entry whose key starts
 * exactly at offset counts only with atKey set: a duplicate key is reported at the key itself,
 * but most other errors there are about a value that the parser took for a key.
 */
export function keyPathAt(doc: Document, offset: number, atKey = false): PropertyKey[] {
  const path: PropertyKey[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        if (!hasRange(p.key) || !isScalar(p.key)) return false;
        const end = hasRange(p.value) ? p.value.range[1] : p.key.range[1];
        const start = p.key.range[0];
        return (start < offset || (atKey && start === offset)) && offset <= end;
      });
      if (!pair || !isScalar(pair.key)) return path;
      path.push(String(pair.key.value));
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex(
        (n) => hasRange(n) && n.range[0] <= offset && offset <= n.range[1],
      );
      if (i < 0) return path;
      path.push(i);
      node = node.items[i];
    } else {
      return path;
    }
  }
}

/** unresolvedAliasOffset returns where the first alias without a preceding anchor is, if any. */
export function unresolvedAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}
