// Template is text/template's Template (template.go, option.go): a named template that shares
// a namespace of associated templates, functions and options with the templates created from
// it by `new`, so that {{define}} in one file can be invoked with {{template}} from another,
// as Alertmanager does when it loads templates/*.tmpl.

import { BUILTINS, execute } from "./exec.ts";
import type { ExecTemplate, MissingKey } from "./exec.ts";
import { isEmptyTree } from "./node.ts";
import type { Tree } from "./node.ts";
import { parseTrees } from "./parse.ts";
import { goQuote } from "./strconv.ts";
import type { AnyFunction } from "./value.ts";

/** FuncMap maps function names to functions; see goFunc in value.ts to declare parameter types. */
export type FuncMap = Readonly<Record<string, AnyFunction>>;

/** TemplateOptions configures a new template namespace. */
export interface TemplateOptions {
  /** Functions available to the template, in addition to the builtins. */
  readonly funcs?: FuncMap;
  /** Action delimiters; empty or absent means "{{" and "}}". */
  readonly leftDelim?: string;
  readonly rightDelim?: string;
  /** Go-style options, e.g. ["missingkey=zero"]. */
  readonly options?: readonly string[];
  /** Shorthand for the missingkey option. */
  readonly missingKey?: "default" | "invalid" | "zero" | "error";
}

class Common {
  readonly tmpl = new Map<string, Template>();
  missingKey: MissingKey = "invalid";
  /** Functions added to this namespace. */
  private readonly own = new Map<string, AnyFunction>();
  /** Functions copied from the namespace this one was cloned from (never modified). */
  private readonly inherited: ReadonlyMap<string, AnyFunction>;
  private snapshotCache: ReadonlyMap<string, AnyFunction> | null = null;

  constructor(inherited: ReadonlyMap<string, AnyFunction> = new Map()) {
    this.inherited = inherited;
  }

  getFunc(name: string): AnyFunction | undefined {
    return this.own.get(name) ?? this.inherited.get(name);
  }

  setFunc(name: string, fn: AnyFunction): void {
    this.own.set(name, fn);
    this.snapshotCache = null;
  }

  /**
   * snapshot returns an immutable view of all functions, shared by clones: cloning a namespace
   * copies its function map (Template.Clone), and sharing the copy keeps clones cheap.
   */
  snapshot(): ReadonlyMap<string, AnyFunction> {
    if (this.own.size === 0) return this.inherited;
    this.snapshotCache ??= new Map([...this.inherited, ...this.own]);
    return this.snapshotCache;
  }
}

const GOOD_NAME = /^[\p{L}_][\p{L}\p{Nd}_]*$/u;
const goodNames = new Set<string>();

function isGoodName(name: string): boolean {
  if (goodNames.has(name)) return true;
  if (!GOOD_NAME.test(name)) return false;
  if (goodNames.size < 10000) goodNames.add(name);
  return true;
}

/** Template is a parsed template plus its namespace of associated templates. */
export class Template implements ExecTemplate {
  /** The parse tree; null until the template is defined. */
  tree: Tree | null = null;

  private constructor(
    readonly name: string,
    private common: Common,
    private leftDelim: string,
    private rightDelim: string,
  ) {}

  /** create allocates a new, undefined template with the given name (template.New). */
  static create(name: string, opts: TemplateOptions = {}): Template {
    const t = new Template(name, new Common(), opts.leftDelim ?? "", opts.rightDelim ?? "");
    if (opts.funcs) t.funcs(opts.funcs);
    if (opts.options) t.option(...opts.options);
    if (opts.missingKey) t.option(`missingkey=${opts.missingKey}`);
    return t;
  }

  /** missingKey is the effective missingkey option. */
  get missingKey(): MissingKey {
    return this.common.missingKey;
  }

  /**
   * new allocates a new, undefined template associated with this one and with the same
   * delimiters; the association is transitive (Template.New).
   */
  new(name: string): Template {
    return new Template(name, this.common, this.leftDelim, this.rightDelim);
  }

  /** delims sets the action delimiters for subsequent parses; empty means the default. */
  delims(left: string, right: string): this {
    this.leftDelim = left;
    this.rightDelim = right;
    return this;
  }

  /**
   * funcs adds functions to the namespace's function map. It throws if a name is not a valid
   * identifier or a value is not a function, as Template.Funcs panics.
   */
  funcs(funcMap: FuncMap): this {
    for (const [name, fn] of Object.entries(funcMap)) {
      if (!isGoodName(name))
        throw new Error(`function name ${goQuote(name)} is not a valid identifier`);
      if (typeof fn !== "function") throw new Error(`value for ${name} not a function`);
      this.common.setFunc(name, fn);
    }
    return this;
  }

  /** option sets options such as "missingkey=zero"; unknown options throw (Template.Option). */
  option(...opts: string[]): this {
    for (const opt of opts) {
      if (opt === "") throw new Error("empty option string");
      const eq = opt.indexOf("=");
      if (eq >= 0 && opt.slice(0, eq) === "missingkey") {
        const value = opt.slice(eq + 1);
        if (value === "invalid" || value === "default") {
          this.common.missingKey = "invalid";
          continue;
        }
        if (value === "zero" || value === "error") {
          this.common.missingKey = value;
          continue;
        }
      }
      throw new Error("unrecognized option: " + opt);
    }
    return this;
  }

  /**
   * parse parses text as a template body for this template. Definitions in text ({{define}}
   * and {{block}}) become associated templates; a definition whose body is only space and
   * comments does not replace an existing one. It throws a TemplateParseError.
   */
  parse(text: string): this {
    const trees = parseTrees(this.name, text, {
      leftDelim: this.leftDelim,
      rightDelim: this.rightDelim,
      hasFunction: (n) => this.common.getFunc(n) !== undefined || BUILTINS.has(n),
    });
    for (const [name, tree] of trees) this.addParseTree(name, tree);
    return this;
  }

  /**
   * addParseTree associates a parse tree with this namespace under name, creating the template
   * if needed (Template.AddParseTree).
   */
  addParseTree(name: string, tree: Tree): Template {
    const nt = name === this.name ? this : this.new(name);
    if (this.associate(nt, tree) || nt.tree === null) nt.tree = tree;
    return nt;
  }

  private associate(nt: Template, tree: Tree): boolean {
    const old = this.common.tmpl.get(nt.name);
    if (old && isEmptyTree(tree.root) && old.tree !== null) return false;
    this.common.tmpl.set(nt.name, nt);
    return true;
  }

  /** lookup returns the associated template with the given name, if it is defined. */
  lookup(name: string): Template | undefined {
    return this.common.tmpl.get(name);
  }

  /** templates returns the defined templates of the namespace. */
  templates(): Template[] {
    return [...this.common.tmpl.values()];
  }

  /** definedTemplates lists the defined templates as "; defined templates are: ..." or "". */
  definedTemplates(): string {
    const names = [...this.common.tmpl.values()]
      .filter((t) => t.tree?.root)
      .map((t) => goQuote(t.name));
    return names.length === 0 ? "" : "; defined templates are: " + names.join(", ");
  }

  /**
   * clone returns a copy of the namespace: further parses into the copy do not affect the
   * original. Trees are shared, and, as in Go, options are not copied.
   */
  clone(): Template {
    const common = new Common(this.common.snapshot());
    const nt = new Template(this.name, common, this.leftDelim, this.rightDelim);
    nt.tree = this.tree;
    for (const [k, v] of this.common.tmpl) {
      if (k === this.name) {
        common.tmpl.set(k, nt);
        continue;
      }
      const c = new Template(v.name, common, v.leftDelim, v.rightDelim);
      c.tree = v.tree;
      common.tmpl.set(k, c);
    }
    return nt;
  }

  /** findFunction looks a function up in the namespace, then among the builtins. */
  findFunction(name: string): { fn: AnyFunction; builtin: boolean } | undefined {
    const fn = this.common.getFunc(name);
    if (fn) return { fn, builtin: false };
    const b = BUILTINS.get(name);
    return b ? { fn: b, builtin: true } : undefined;
  }

  /** execute applies the template to data and resolves to the output (Template.Execute). */
  execute(data?: unknown): Promise<string> {
    return execute(this, data);
  }

  /** executeTemplate executes the associated template with the given name. */
  async executeTemplate(name: string, data?: unknown): Promise<string> {
    const t = this.lookup(name);
    if (!t) {
      throw new Error(
        `template: no template ${goQuote(name)} associated with template ${goQuote(this.name)}`,
      );
    }
    return t.execute(data);
  }
}

/**
 * parseTemplate creates a template namespace named name and parses text into it. It throws a
 * TemplateParseError whose message reads like Go's, e.g. `template: x:1: unclosed action`.
 */
export function parseTemplate(name: string, text: string, opts: TemplateOptions = {}): Template {
  return Template.create(name, opts).parse(text);
}
