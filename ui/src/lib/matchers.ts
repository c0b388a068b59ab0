// Alertmanager label matchers for silences: parsing what a user types, converting to and from
// the API v2 form, and matching alerts client-side for the "alerts this silence would mute"
// preview. Semantics follow Alertmanager's pkg/labels Matcher: a missing label matches as "",
// regular expressions are fully anchored.

/** MatchType is one of Alertmanager's four matcher operators. */
export type MatchType = "=" | "!=" | "=~" | "!~";

/** Matcher is one label matcher. */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

/** ApiMatcher is a matcher as API v2 writes it in silences. */
export interface ApiMatcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual?: boolean;
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * parseMatchers reads a list of matchers in Alertmanager's syntax, with or without braces:
 * `{alertname="Disk", severity=~"warn|crit"}` or `alertname=Disk, instance!~"db-.*"`. Values may
 * be double-quoted (with Go escapes) or bare. It throws an Error naming the bad part.
 */
export function parseMatchers(input: string): Matcher[] {
  let s = input.trim();
  if (s.startsWith("{")) {
    if (!s.endsWith("}")) throw new Error("missing closing '}'");
    s = s.slice(1, -1);
  }
  const out: Matcher[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  skipSpace();
  while (i < s.length) {
    const nameStart = i;
    while (i < s.length && /[a-zA-Z0-9_]/.test(s[i]!)) i++;
    const name = s.slice(nameStart, i);
    if (!NAME.test(name)) {
      throw new Error(
        `expected a label name at position ${nameStart + 1}: ${JSON.stringify(s.slice(nameStart, nameStart + 12))}`,
      );
    }
    skipSpace();
    const op = /^(=~|!~|!=|=)/.exec(s.slice(i));
    if (!op) throw new Error(`expected one of =, !=, =~, !~ after ${JSON.stringify(name)}`);
    const type = op[1] as MatchType;
    i += type.length;
    skipSpace();
    let value: string;
    if (s[i] === '"') {
      const start = i;
      i++;
      while (i < s.length && s[i] !== '"') i += s[i] === "\\" ? 2 : 1;
      if (i >= s.length) throw new Error(`unterminated quoted value for ${JSON.stringify(name)}`);
      i++;
      try {
        value = JSON.parse(s.slice(start, i)) as string;
      } catch {
        throw new Error(`invalid quoted value for ${JSON.stringify(name)}: ${s.slice(start, i)}`);
      }
    } else {
      const start = i;
      while (i < s.length && s[i] !== ",") i++;
      value = s.slice(start, i).trim();
    }
    const m = { name, type, value };
    if (type === "=~" || type === "!~") compileRegex(m.value);
    out.push(m);
    skipSpace();
    if (i < s.length) {
      if (s[i] !== ",") throw new Error(`expected ',' at position ${i + 1}`);
      i++;
      skipSpace();
    }
  }
  return out;
}

/** compileRegex anchors an RE2-style expression as Alertmanager does; it throws when invalid. */
export function compileRegex(value: string): RegExp {
  try {
    return new RegExp(`^(?:${value})$`, "u");
  } catch (err) {
    throw new Error(
      `invalid regular expression ${JSON.stringify(value)}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** formatMatcher writes m in Alertmanager's syntax: `name=~"value"`. */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}

/** formatMatchers writes a list as `{a="b", c!="d"}`. */
export function formatMatchers(ms: readonly Matcher[]): string {
  return `{${ms.map(formatMatcher).join(", ")}}`;
}

/** toApiMatcher converts to API v2's form. */
export function toApiMatcher(m: Matcher): ApiMatcher {
  return {
    name: m.name,
    value: m.value,
    isRegex: m.type === "=~" || m.type === "!~",
    isEqual: m.type === "=" || m.type === "=~",
  };
}

/** fromApiMatcher converts from API v2's form (isEqual defaults to true). */
export function fromApiMatcher(m: ApiMatcher): Matcher {
  const eq = m.isEqual ?? true;
  const type: MatchType = m.isRegex ? (eq ? "=~" : "!~") : eq ? "=" : "!=";
  return { name: m.name, type, value: m.value };
}

/** matches reports whether the labels satisfy m; a missing label is "". */
export function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? "";
  switch (m.type) {
    case "=":
      return v === m.value;
    case "!=":
      return v !== m.value;
    case "=~":
      return compileRegex(m.value).test(v);
    case "!~":
      return !compileRegex(m.value).test(v);
  }
}

/** matchesAll reports whether the labels satisfy every matcher (a silence's rule). */
export function matchesAll(ms: readonly Matcher[], labels: Record<string, string>): boolean {
  return ms.every((m) => matches(m, labels));
}

/**
 * matchesEverything reports a list that would match every alert (each matcher matches the empty
 * string): Alertmanager rejects such silences, so the form warns before posting.
 */
export function matchesEverything(ms: readonly Matcher[]): boolean {
  return ms.every((m) => matches(m, {}));
}
