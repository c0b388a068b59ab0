// LabelsBuilder holds the labels of one log line while it goes through a pipeline: the
// stream's labels, its structured metadata, the labels parsers extract, the error labels, and
// deletions (Loki pkg/logql/log/labels.go LabelsBuilder).

/** ERROR_LABEL and ERROR_DETAILS_LABEL are Loki's error labels. */
export const ERROR_LABEL = "__error__";
export const ERROR_DETAILS_LABEL = "__error_details__";
/** DUPLICATE_SUFFIX is appended to extracted names that clash with stream labels or metadata. */
export const DUPLICATE_SUFFIX = "_extracted";

/** Error kinds set in `__error__`. */
export const ERR_JSON = "JSONParserErr";
export const ERR_LOGFMT = "LogfmtParserErr";
export const ERR_LABEL_FILTER = "LabelFilterErr";
export const ERR_TEMPLATE_FORMAT = "TemplateFormatErr";
export const ERR_SAMPLE_CONVERSION = "SampleExtractionErr";

/** LabelCategory says where a label came from. */
export type LabelCategory = "stream" | "metadata" | "parsed";

/** LabelsResult is the outcome of a pipeline for one line, split by category. */
export interface LabelsResult {
  /** all: every label, sorted by name (empty values kept). */
  readonly all: Readonly<Record<string, string>>;
  readonly stream: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly parsed: Readonly<Record<string, string>>;
}

/** LabelsBuilder accumulates label changes for one line; `reset` starts the next line. */
export class LabelsBuilder {
  private readonly base: ReadonlyMap<string, string>;
  private readonly add: Record<LabelCategory, Map<string, string>> = {
    stream: new Map(),
    metadata: new Map(),
    parsed: new Map(),
  };
  private readonly del = new Set<string>();
  /** extracted records parsed names set during this line: the first extraction wins. */
  private readonly extracted = new Set<string>();
  private err = "";
  private errDetails = "";

  constructor(base: ReadonlyMap<string, string>) {
    this.base = base;
  }

  /** reset clears everything but the stream labels. */
  reset(): void {
    this.add.stream.clear();
    this.add.metadata.clear();
    this.add.parsed.clear();
    this.del.clear();
    this.extracted.clear();
    this.err = "";
    this.errDetails = "";
  }

  /** baseHas reports whether the stream has label name (deletions do not count). */
  baseHas(name: string): boolean {
    return this.base.has(name);
  }

  /** hasMetadata reports whether structured metadata holds name. */
  hasMetadata(name: string): boolean {
    return this.add.metadata.has(name);
  }

  /** extractedName is the name a parser stores key under: `<key>_extracted` on a clash. */
  extractedName(key: string): string {
    return this.base.has(key) || this.add.metadata.has(key) ? key + DUPLICATE_SUFFIX : key;
  }

  /** wasExtracted reports whether a parsed label name was already set on this line. */
  wasExtracted(name: string): boolean {
    return this.extracted.has(name);
  }

  /** get returns the current value of name, or undefined when absent. */
  get(name: string): string | undefined {
    for (const cat of ["stream", "metadata", "parsed"] as const) {
      const v = this.add[cat].get(name);
      if (v !== undefined) return v;
    }
    if (this.del.has(name)) return undefined;
    const v = this.base.get(name);
    return v === undefined || v === "" ? undefined : v;
  }

  /** getWithCategory returns the value and category of name, or undefined. */
  getWithCategory(name: string): [string, LabelCategory] | undefined {
    for (const cat of ["stream", "metadata", "parsed"] as const) {
      const v = this.add[cat].get(name);
      if (v !== undefined) return [v, cat];
    }
    if (this.del.has(name)) return undefined;
    const v = this.base.get(name);
    return v === undefined || v === "" ? undefined : [v, "stream"];
  }

  /** set stores a label in a category with labels.go Set's precedence rules. */
  set(category: LabelCategory, name: string, value: string): void {
    if (category === "parsed") {
      this.add.metadata.delete(name);
      this.add.stream.delete(name);
    }
    if (category === "metadata") {
      this.add.stream.delete(name);
      if (this.add.parsed.has(name)) return;
    }
    if (category === "stream") {
      if (this.add.metadata.has(name) || this.add.parsed.has(name)) return;
    }
    this.add[category].set(name, value);
    if (category === "parsed") this.extracted.add(name);
  }

  /** delete removes labels by name from every category and from the stream labels. */
  delete(...names: string[]): void {
    for (const n of names) {
      this.add.stream.delete(n);
      this.add.metadata.delete(n);
      this.add.parsed.delete(n);
      this.del.add(n);
    }
  }

  setErr(err: string): void {
    this.err = err;
  }
  getErr(): string {
    return this.err;
  }
  hasErr(): boolean {
    return this.err !== "";
  }
  setErrDetails(d: string): void {
    this.errDetails = d;
  }
  getErrDetails(): string {
    return this.errDetails;
  }
  hasErrDetails(): boolean {
    return this.errDetails !== "";
  }

  /** names returns every current label name, error labels included. */
  names(): string[] {
    return Object.keys(this.map());
  }

  /** map returns the current labels as an object (what templates see). */
  map(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.base) {
      if (this.del.has(k)) continue;
      if (this.add.metadata.has(k) || this.add.parsed.has(k)) continue;
      const sv = this.add.stream.get(k);
      out[k] = sv ?? v;
    }
    for (const [k, v] of this.add.stream) if (!(k in out) && !this.base.has(k)) out[k] = v;
    for (const [k, v] of this.add.metadata) if (!this.add.parsed.has(k)) out[k] = v;
    for (const [k, v] of this.add.parsed) out[k] = v;
    if (this.err !== "") out[ERROR_LABEL] = this.err;
    if (this.errDetails !== "") out[ERROR_DETAILS_LABEL] = this.errDetails;
    return out;
  }

  /** result returns the final labels, sorted, split by category (LabelsResult). */
  result(): LabelsResult {
    const all = this.map();
    const names = Object.keys(all).sort();
    const sorted: Record<string, string> = {};
    const stream: Record<string, string> = {};
    const metadata: Record<string, string> = {};
    const parsed: Record<string, string> = {};
    for (const n of names) {
      const v = all[n]!;
      sorted[n] = v;
      if (n === ERROR_LABEL || n === ERROR_DETAILS_LABEL || this.add.parsed.has(n)) parsed[n] = v;
      else if (this.add.metadata.has(n)) metadata[n] = v;
      else stream[n] = v;
    }
    return { all: sorted, stream, metadata, parsed };
  }
}
