import { RE2JS } from "re2js";

/** MatchType is one of Prometheus's four label matcher operators. */
export type MatchType = "=" | "!=" | "=~" | "!~";

/**
 * Matcher selects series by one label. Regular expressions use RE2 syntax and are fully
 * anchored, as in Prometheus (`model/labels/matcher.go`): `=~"a|b"` means `^(?:a|b)$`.
 * A missing label matches as the empty string.
 */
export class Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  private readonly re: RE2JS | undefined;

  /** Creates a matcher; throws `Error` naming the pattern when a regex does not compile. */
  constructor(type: MatchType, name: string, value: string) {
    this.type = type;
    this.name = name;
    this.value = value;
    if (type === "=~" || type === "!~") {
      try {
        // Compile the pattern alone first so that a syntax error quotes the user's text.
        RE2JS.compile(value);
        this.re = RE2JS.compile(`^(?:${value})$`, RE2JS.DOTALL);
      } catch (err) {
        throw new Error(`invalid regular expression ${JSON.stringify(value)}: ${errMsg(err)}`, {
          cause: err,
        });
      }
    }
  }

  /** matches reports whether label value v (use "" for a missing label) is selected. */
  matches(v: string): boolean {
    switch (this.type) {
      case "=":
        return v === this.value;
      case "!=":
        return v !== this.value;
      case "=~":
        return this.re!.matches(v);
      case "!~":
        return !this.re!.matches(v);
    }
  }

  /** matchesEmpty reports whether the matcher selects series that lack the label. */
  matchesEmpty(): boolean {
    return this.matches("");
  }

  /** toString renders the matcher as in PromQL: `job=~"a|b"`. */
  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}

function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
