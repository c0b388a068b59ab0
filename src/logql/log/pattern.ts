// The `| pattern` parser language and the `|>` pattern line filter (Loki
// pkg/logql/log/pattern): a pattern is literal text with `<name>` captures; `<_>` captures
// without a name.

/** PatternNode is a literal run or a capture. */
export type PatternNode = { readonly literal: string } | { readonly capture: string };

/** Pattern is a parsed pattern with its named captures in order. */
export interface Pattern {
  readonly nodes: readonly PatternNode[];
  readonly names: readonly string[];
}

const CAPTURE = /^<[A-Za-z_][A-Za-z0-9_]*>/;

function lexPattern(src: string): PatternNode[] {
  const nodes: PatternNode[] = [];
  let lit = "";
  let i = 0;
  while (i < src.length) {
    const m = CAPTURE.exec(src.slice(i, i + 1024));
    if (m) {
      if (lit !== "") nodes.push({ literal: lit });
      lit = "";
      nodes.push({ capture: m[0].slice(1, -1) });
      i += m[0].length;
      continue;
    }
    const cp = src.codePointAt(i)!;
    if (cp >= 0xd800 && cp <= 0xdfff) throw new Error("invalid UTF-8 encoding");
    const ch = String.fromCodePoint(cp);
    lit += ch;
    i += ch.length;
  }
  if (lit !== "") nodes.push({ literal: lit });
  return nodes;
}

function isUnnamed(name: string): boolean {
  return name === "_";
}

function checkConsecutive(nodes: readonly PatternNode[]): void {
  for (let i = 0; i + 1 < nodes.length; i++) {
    const a = nodes[i]!;
    const b = nodes[i + 1]!;
    if ("capture" in a && "capture" in b) {
      throw new Error(
        `found consecutive capture '<${a.capture}><${b.capture}>': invalid expression`,
      );
    }
  }
}

/**
 * parsePattern parses a pattern. `mode` "parser" (`| pattern`) needs a named capture, no
 * duplicates and no two captures side by side; "filter" (`|>`) allows no named captures.
 */
export function parsePattern(src: string, mode: "parser" | "filter"): Pattern {
  if (mode === "filter" && src === "") return { nodes: [], names: [] };
  if (src === "") throw new Error("syntax error: unexpected $end");
  const nodes = lexPattern(src);
  const names = nodes.flatMap((n) => ("capture" in n && !isUnnamed(n.capture) ? [n.capture] : []));
  if (mode === "parser") {
    if (names.length === 0) throw new Error("at least one capture is required");
    checkConsecutive(nodes);
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) throw new Error(`duplicate capture name (${n}): invalid expression`);
      seen.add(n);
    }
  } else {
    checkConsecutive(nodes);
    if (names.length > 0) {
      throw new Error(`named captures are not allowed: found '<${names[0]}>'`);
    }
  }
  return { nodes, names };
}

/**
 * patternMatches returns the named captures of line, in order; fewer than names when the
 * line ends early, and none when the leading literal does not match (pattern.go Matches).
 */
export function patternMatches(p: Pattern, line: string): string[] {
  const out: string[] = [];
  if (line === "" || p.nodes.length === 0) return out;
  let expr = p.nodes;
  let input = line;
  const first = expr[0]!;
  if ("literal" in first) {
    if (!input.startsWith(first.literal)) return out;
    input = input.slice(first.literal.length);
    expr = expr.slice(1);
  }
  if (expr.length === 0) return out;
  while (expr.length > 0) {
    const capt = expr[0] as { capture: string };
    if (expr.length === 1) {
      if (!isUnnamed(capt.capture)) out.push(input);
      return out;
    }
    const ls = (expr[1] as { literal: string }).literal;
    expr = expr.slice(2);
    const i = input.indexOf(ls);
    if (i < 0) {
      if (!isUnnamed(capt.capture)) out.push(input);
      return out;
    }
    if (!isUnnamed(capt.capture)) out.push(input.slice(0, i));
    input = input.slice(i + ls.length);
  }
  return out;
}

/** patternTest reports whether line matches the pattern as a whole (pattern.go Test). */
export function patternTest(p: Pattern, line: string): boolean {
  const e = p.nodes;
  if (line === "" || e.length === 0) return line === "" && e.length === 0;
  let off = 0;
  for (let i = 0; i < e.length; i++) {
    const n = e[i]!;
    if (!("literal" in n)) continue;
    const j = line.indexOf(n.literal, off);
    if (j < 0) return false;
    if (i !== 0 && j === off) return false;
    off = j + n.literal.length;
  }
  const reqRem = "capture" in e[e.length - 1]!;
  const hasRem = off !== line.length;
  return reqRem === hasRem;
}
