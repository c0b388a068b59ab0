// The template parser: a port of text/template/parse/parse.go. It builds one Tree per
// template (the top-level text plus every {{define}} and {{block}}), checks that functions
// and variables are defined, and reports errors as Go does, with the line of the token at
// which the error was noticed: `template: <name>:<line>: <message>`.

import { Lexer, itemString } from "./lex.ts";
import type { Item, ItemType } from "./lex.ts";
import { isEmptyTree, nodeString } from "./node.ts";
import type {
  ActionNode,
  BranchNode,
  ChainNode,
  CommandNode,
  ElseNode,
  EndNode,
  FieldNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  Tree,
  VariableNode,
} from "./node.ts";
import { goQuote, parseFloat64, parseInt64, parseUint64, unquote, unquoteChar } from "./strconv.ts";

/** TemplateParseError is a parse failure; its message has Go's form `template: name:line: msg`. */
export class TemplateParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateParseError";
  }
}

/** ParseTreeOptions configures parseTrees. */
export interface ParseTreeOptions {
  /** Left and right action delimiters; empty strings mean "{{" and "}}". */
  readonly leftDelim?: string;
  readonly rightDelim?: string;
  /** Reports whether a function name is defined (builtins included). */
  readonly hasFunction: (name: string) => boolean;
  /** Keep comments in the tree as comment nodes (parse.ParseComments). */
  readonly parseComments?: boolean;
  /** Do not check that functions are defined (parse.SkipFuncCheck). */
  readonly skipFuncCheck?: boolean;
  /** Maximum nesting of parenthesized pipelines; Go's default is 10000. */
  readonly maxExpressionDepth?: number;
}

const MAX_PIPELINE_CMDS = 100000;

interface Shared {
  readonly lex: Lexer;
  readonly treeSet: Map<string, Tree>;
  readonly opts: ParseTreeOptions;
  readonly maxStackDepth: number;
}

/** Bail is thrown to unwind the parser; it carries the formatted error. */
class Bail {
  constructor(readonly error: TemplateParseError) {}
}

class TreeParser {
  readonly tree: Tree;
  private token: Item[] = [];
  private peekCount = 0;
  private vars: string[] = ["$"];
  private actionLine = 0;
  private rangeDepth = 0;
  private stackDepth = 0;

  constructor(
    name: string,
    parseName: string,
    text: string,
    private readonly shared: Shared,
  ) {
    this.tree = { name, parseName, root: null, text };
  }

  // --- token stream (parse.go next/backup/peek) ---

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.shared.lex.nextItem();
    return this.token[this.peekCount];
  }

  private backup(): void {
    this.peekCount++;
  }

  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1];
    this.peekCount = 1;
    this.token[0] = this.shared.lex.nextItem();
    return this.token[0];
  }

  private nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.typ === "space");
    return token;
  }

  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // --- errors ---

  errorf(msg: string): never {
    this.tree.root = null;
    const line = this.token[0]?.line ?? 1;
    throw new Bail(new TemplateParseError(`template: ${this.tree.parseName}:${line}: ${msg}`));
  }

  private expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== expected) this.unexpected(token, context);
    return token;
  }

  private expectOneOf(e1: ItemType, e2: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== e1 && token.typ !== e2) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.typ === "error") {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.tree.parseName}:${this.actionLine}`;
        if (token.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.errorf(itemString(token) + extra);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  // --- node constructors ---

  private newList(pos: number): ListNode {
    return { type: "list", pos, tree: this.tree, nodes: [] };
  }

  private newPipeline(pos: number, line: number): PipeNode {
    return { type: "pipe", pos, tree: this.tree, line, isAssign: false, decl: [], cmds: [] };
  }

  private newVariable(pos: number, ident: string): VariableNode {
    return { type: "variable", pos, tree: this.tree, ident: ident.split(".") };
  }

  private newField(pos: number, ident: string): FieldNode {
    return { type: "field", pos, tree: this.tree, ident: ident.slice(1).split(".") };
  }

  // --- parsing ---

  /** add adds the tree to the tree set (parse.go Tree.add). */
  add(): void {
    const existing = this.shared.treeSet.get(this.tree.name);
    if (existing === undefined || isEmptyTree(existing.root)) {
      this.shared.treeSet.set(this.tree.name, this.tree);
      return;
    }
    if (!isEmptyTree(this.tree.root)) {
      this.errorf(`template: multiple definition of template ${goQuote(this.tree.name)}`);
    }
  }

  /** parse is the top-level parser for a template; it runs to EOF. */
  parse(): void {
    const root = this.newList(this.peek().pos);
    this.tree.root = root;
    while (this.peek().typ !== "eof") {
      if (this.peek().typ === "leftDelim") {
        const delim = this.next();
        if (this.nextNonSpace().typ === "define") {
          const def = new TreeParser(
            "definition",
            this.tree.parseName,
            this.tree.text,
            this.shared,
          );
          def.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
  }

  private parseDefinition(): void {
    const context = "define clause";
    const name = this.expectOneOf("string", "rawString", context);
    try {
      this.tree.name = unquote(name.val);
    } catch (err) {
      this.errorf((err as Error).message);
    }
    this.expect("rightDelim", context);
    const [list, end] = this.itemList();
    this.tree.root = list;
    if (end.type !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add();
  }

  private itemList(): [ListNode, EndNode | ElseNode] {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== "eof") {
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n];
      list.nodes.push(n);
    }
    this.errorf("unexpected EOF");
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case "text":
        return { type: "text", pos: token.pos, tree: this.tree, text: token.val };
      case "leftDelim":
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      case "comment":
        return { type: "comment", pos: token.pos, tree: this.tree, text: token.val };
      default:
        this.unexpected(token, "input");
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case "block":
        return this.blockControl();
      case "break":
        return this.breakControl(token.pos, token.line);
      case "continue":
        return this.continueControl(token.pos, token.line);
      case "else":
        return this.elseControl();
      case "end":
        return this.endControl();
      case "if":
        return this.branchControl("if");
      case "range":
        return this.branchControl("range");
      case "template":
        return this.templateControl();
      case "with":
        return this.branchControl("with");
    }
    this.backup();
    const t = this.peek();
    const node: ActionNode = {
      type: "action",
      pos: t.pos,
      tree: this.tree,
      line: t.line,
      pipe: this.pipeline("command", "rightDelim"),
    };
    return node;
  }

  private breakControl(pos: number, line: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== "rightDelim") this.unexpected(token, "{{break}}");
    if (this.rangeDepth === 0) this.errorf("{{break}} outside {{range}}");
    return { type: "break", pos, tree: this.tree, line };
  }

  private continueControl(pos: number, line: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== "rightDelim") this.unexpected(token, "{{continue}}");
    if (this.rangeDepth === 0) this.errorf("{{continue}} outside {{range}}");
    return { type: "continue", pos, tree: this.tree, line };
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const token = this.peekNonSpace();
    const pipe = this.newPipeline(token.pos, token.line);
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ === "variable") {
        this.next();
        const tokenAfterVariable = this.peek();
        const next = this.peekNonSpace();
        if (next.typ === "assign" || next.typ === "declare") {
          pipe.isAssign = next.typ === "assign";
          this.nextNonSpace();
          pipe.decl.push(this.newVariable(v.pos, v.val));
          this.vars.push(v.val);
        } else if (next.typ === "char" && next.val === ",") {
          this.nextNonSpace();
          pipe.decl.push(this.newVariable(v.pos, v.val));
          this.vars.push(v.val);
          if (context === "range" && pipe.decl.length < 2) {
            const t = this.peekNonSpace().typ;
            if (t === "variable" || t === "rightDelim" || t === "rightParen") continue decls;
            this.errorf("range can only initialize variables");
          }
          this.errorf(`too many declarations in ${context}`);
        } else if (tokenAfterVariable.typ === "space") {
          this.backup3(v, tokenAfterVariable);
        } else {
          this.backup2(v);
        }
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case "bool":
        case "charConstant":
        case "complex":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "rawString":
        case "string":
        case "variable":
        case "leftParen":
          this.backup();
          pipe.cmds.push(this.command());
          if (pipe.cmds.length > MAX_PIPELINE_CMDS) this.errorf("pipeline too long");
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      switch (c.args[0].type) {
        case "bool":
        case "dot":
        case "nil":
        case "number":
        case "string":
          this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private parseControl(
    context: "if" | "range" | "with",
  ): [pos: number, line: number, pipe: PipeNode, list: ListNode, elseList: ListNode | null] {
    const varsMark = this.vars.length;
    try {
      const pipe = this.pipeline(context, "rightDelim");
      if (context === "range") this.rangeDepth++;
      const [list, first] = this.itemList();
      let next = first;
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === "else") {
        if (context === "if" && this.peek().typ === "if") {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branchControl("if"));
        } else if (context === "with" && this.peek().typ === "with") {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branchControl("with"));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== "end") this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return [pipe.pos, pipe.line, pipe, list, elseList];
    } finally {
      this.vars.length = varsMark;
    }
  }

  private branchControl(type: "if" | "range" | "with"): BranchNode {
    const [pos, line, pipe, list, elseList] = this.parseControl(type);
    return { type, pos, tree: this.tree, line, pipe, list, elseList };
  }

  private endControl(): EndNode {
    return { type: "end", pos: this.expect("rightDelim", "end").pos, tree: this.tree };
  }

  private elseControl(): ElseNode {
    const peek = this.peekNonSpace();
    if (peek.typ === "if" || peek.typ === "with") {
      return { type: "else", pos: peek.pos, tree: this.tree, line: peek.line };
    }
    const token = this.expect("rightDelim", "else");
    return { type: "else", pos: token.pos, tree: this.tree, line: token.line };
  }

  private blockControl(): TemplateNode {
    const context = "block clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, "rightDelim");
    const block = new TreeParser(name, this.tree.parseName, this.tree.text, this.shared);
    const [list, end] = block.itemList();
    block.tree.root = list;
    if (end.type !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    block.add();
    return { type: "template", pos: token.pos, tree: this.tree, line: token.line, name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = "template clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== "rightDelim") {
      this.backup();
      pipe = this.pipeline(context, "rightDelim");
    }
    return { type: "template", pos: token.pos, tree: this.tree, line: token.line, name, pipe };
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.typ === "string" || token.typ === "rawString") {
      try {
        return unquote(token.val);
      } catch (err) {
        this.errorf((err as Error).message);
      }
    }
    this.unexpected(token, context);
  }

  private command(): CommandNode {
    const cmd: CommandNode = {
      type: "command",
      pos: this.peekNonSpace().pos,
      tree: this.tree,
      args: [],
    };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.next();
      if (token.typ === "space") continue;
      if (token.typ === "rightDelim" || token.typ === "rightParen") this.backup();
      else if (token.typ !== "pipe") this.unexpected(token, "operand");
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  private operand(): Node | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peek().typ === "field") {
      const chain: ChainNode = {
        type: "chain",
        pos: this.peek().pos,
        tree: this.tree,
        node,
        field: [],
      };
      while (this.peek().typ === "field") chain.field.push(this.next().val.slice(1));
      switch (node.type) {
        case "field":
          return this.newField(chain.pos, nodeString(chain));
        case "variable":
          return this.newVariable(chain.pos, nodeString(chain));
        case "bool":
        case "string":
        case "number":
        case "nil":
        case "dot":
          this.errorf(`unexpected . after term ${goQuote(nodeString(node))}`);
      }
      return chain;
    }
    return node;
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case "identifier": {
        const checkFunc = !this.shared.opts.skipFuncCheck;
        if (checkFunc && !this.shared.opts.hasFunction(token.val)) {
          this.errorf(`function ${goQuote(token.val)} not defined`);
        }
        return { type: "identifier", pos: token.pos, tree: this.tree, ident: token.val };
      }
      case "dot":
        return { type: "dot", pos: token.pos, tree: this.tree };
      case "nil":
        return { type: "nil", pos: token.pos, tree: this.tree };
      case "variable":
        return this.useVar(token.pos, token.val);
      case "field":
        return this.newField(token.pos, token.val);
      case "bool":
        return { type: "bool", pos: token.pos, tree: this.tree, value: token.val === "true" };
      case "charConstant":
      case "complex":
      case "number":
        try {
          return newNumber(this.tree, token.pos, token.val, token.typ);
        } catch (err) {
          return this.errorf((err as Error).message);
        }
      case "leftParen": {
        if (this.stackDepth >= this.shared.maxStackDepth)
          this.errorf("max expression depth exceeded");
        this.stackDepth++;
        try {
          return this.pipeline("parenthesized pipeline", "rightParen");
        } finally {
          this.stackDepth--;
        }
      }
      case "string":
      case "rawString":
        try {
          return {
            type: "string",
            pos: token.pos,
            tree: this.tree,
            quoted: token.val,
            text: unquote(token.val),
          };
        } catch (err) {
          this.errorf((err as Error).message);
        }
    }
    this.backup();
    return null;
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (this.vars.includes(v.ident[0])) return v;
    this.errorf(`undefined variable ${goQuote(v.ident[0])}`);
  }
}

function isInt64Exact(f: number): boolean {
  return Number.isInteger(f) && f >= -9223372036854775808 && f < 9223372036854775808;
}

function isUint64Exact(f: number): boolean {
  return Number.isInteger(f) && f >= 0 && f < 18446744073709551616;
}

/** simplifyComplex pulls out the other types a complex number with zero imaginary part has. */
function simplifyComplex(n: NumberNode): void {
  n.isFloat = n.complex.im === 0;
  if (n.isFloat) {
    n.float64 = n.complex.re;
    n.isInt = isInt64Exact(n.float64);
    if (n.isInt) n.int64 = BigInt(n.float64);
    n.isUint = isUint64Exact(n.float64);
    if (n.isUint) n.uint64 = BigInt(n.float64);
  }
}

/**
 * newNumber parses a number literal into every type that can represent it, as node.go's
 * newNumber does. It throws an Error with Go's message for malformed or overflowing numbers.
 */
export function newNumber(tree: Tree, pos: number, text: string, typ: ItemType): NumberNode {
  const n: NumberNode = {
    type: "number",
    pos,
    tree,
    isInt: false,
    isUint: false,
    isFloat: false,
    isComplex: false,
    int64: 0n,
    uint64: 0n,
    float64: 0,
    complex: { re: 0, im: 0 },
    text,
  };
  if (typ === "charConstant") {
    const { value, tail } = unquoteChar(text.slice(1), text.charCodeAt(0));
    if (tail !== "'") throw new Error(`malformed character constant: ${text}`);
    n.int64 = BigInt(value);
    n.isInt = true;
    n.uint64 = BigInt(value);
    n.isUint = true;
    n.float64 = value;
    n.isFloat = true;
    return n;
  }
  if (typ === "complex") {
    const m = /^([+-]?[^+-]*(?:[eEpP][+-][^+-]*)?)([+-].*)i$/.exec(text);
    if (!m) throw new Error("expected integer");
    try {
      n.complex = { re: parseFloat64(m[1]), im: parseFloat64(m[2]) };
    } catch {
      throw new Error("expected integer");
    }
    n.isComplex = true;
    simplifyComplex(n);
    return n;
  }
  if (text.length > 0 && text[text.length - 1] === "i") {
    try {
      const f = parseFloat64(text.slice(0, -1));
      n.isComplex = true;
      n.complex = { re: 0, im: f };
      simplifyComplex(n);
      return n;
    } catch {
      // Fall through: the integer parsers below reject it.
    }
  }
  let u = 0n;
  try {
    u = parseUint64(text);
    n.isUint = true;
    n.uint64 = u;
  } catch {
    // Not an unsigned integer.
  }
  try {
    const i = parseInt64(text);
    n.isInt = true;
    n.int64 = i;
    if (i === 0n) {
      n.isUint = true;
      n.uint64 = u;
    }
  } catch {
    // Not a signed integer.
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float64 = Number(n.int64);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float64 = Number(n.uint64);
  } else {
    let f: number | undefined;
    try {
      f = parseFloat64(text);
    } catch {
      f = undefined;
    }
    if (f !== undefined) {
      if (!/[.eEpP]/.test(text)) throw new Error(`integer overflow: ${goQuote(text)}`);
      n.isFloat = true;
      n.float64 = f;
      if (!n.isInt && isInt64Exact(f)) {
        n.isInt = true;
        n.int64 = BigInt(f);
      }
      if (!n.isUint && isUint64Exact(f)) {
        n.isUint = true;
        n.uint64 = BigInt(f);
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat)
    throw new Error(`illegal number syntax: ${goQuote(text)}`);
  return n;
}

/**
 * parseTrees parses the template definitions in text, as parse.Parse does, and returns a map
 * from template name to tree; the top-level tree is named name. It throws a
 * TemplateParseError on the first error.
 */
export function parseTrees(name: string, text: string, opts: ParseTreeOptions): Map<string, Tree> {
  const treeSet = new Map<string, Tree>();
  const lex = new Lexer(name, text, opts.leftDelim || "{{", opts.rightDelim || "}}", {
    emitComment: opts.parseComments ?? false,
    breakOK: !opts.hasFunction("break"),
    continueOK: !opts.hasFunction("continue"),
  });
  const shared: Shared = { lex, treeSet, opts, maxStackDepth: opts.maxExpressionDepth ?? 10000 };
  const top = new TreeParser(name, name, text, shared);
  try {
    top.parse();
    top.add();
  } catch (err) {
    if (err instanceof Bail) throw err.error;
    throw err;
  }
  return treeSet;
}
