// Parse tree nodes, as text/template/parse/node.go defines them: a discriminated union on
// `type`. Every node records `pos`, the offset of its first character in the text of its
// tree (Go's parse.Pos; Go records no end), and the tree it belongs to, from which execution
// errors compute "name:line:col" and the node's text (nodeString mirrors Node.String).

import { goQuote, goTrimSpace } from "./strconv.ts";

/** Tree is the representation of a single parsed template (parse.Tree). */
export interface Tree {
  /** The name of the template represented by the tree. */
  name: string;
  /** The name of the top-level template during parsing, for error messages. */
  parseName: string;
  /** The top-level root of the tree; null for a template that failed to parse. */
  root: ListNode | null;
  /** The text parsed to create the template (or its parent). */
  text: string;
}

interface Base {
  /** Offset of the node's first character in tree.text (UTF-16 code units). */
  readonly pos: number;
  readonly tree: Tree;
}

/** ListNode holds a sequence of nodes. */
export interface ListNode extends Base {
  readonly type: "list";
  readonly nodes: Node[];
}

/** TextNode holds plain text. */
export interface TextNode extends Base {
  readonly type: "text";
  readonly text: string;
}

/** CommentNode holds a comment (kept only when parsing with comments). */
export interface CommentNode extends Base {
  readonly type: "comment";
  readonly text: string;
}

/** PipeNode holds a pipeline with optional variable declarations or assignments. */
export interface PipeNode extends Base {
  readonly type: "pipe";
  readonly line: number;
  /** Whether the variables are being assigned (=) rather than declared (:=). */
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}

/** ActionNode holds an action that prints its pipeline (or only declares variables). */
export interface ActionNode extends Base {
  readonly type: "action";
  readonly line: number;
  readonly pipe: PipeNode;
}

/** CommandNode holds a command: a function, field or operand and its arguments. */
export interface CommandNode extends Base {
  readonly type: "command";
  readonly args: Node[];
}

/** IdentifierNode holds an identifier; always a function name. */
export interface IdentifierNode extends Base {
  readonly type: "identifier";
  readonly ident: string;
}

/** VariableNode holds a variable reference, possibly with chained field accesses. */
export interface VariableNode extends Base {
  readonly type: "variable";
  /** The variable name ("$x", with the dollar) followed by any chained field names. */
  readonly ident: string[];
}

/** DotNode holds the special identifier '.'. */
export interface DotNode extends Base {
  readonly type: "dot";
}

/** NilNode holds the untyped nil constant. */
export interface NilNode extends Base {
  readonly type: "nil";
}

/** FieldNode holds a field (identifier starting with '.'); names may be chained. */
export interface FieldNode extends Base {
  readonly type: "field";
  /** The field names in lexical order, without their dots. */
  readonly ident: string[];
}

/** ChainNode holds a term followed by a chain of field accesses, e.g. (pipe).X.Y. */
export interface ChainNode extends Base {
  readonly type: "chain";
  readonly node: Node;
  readonly field: string[];
}

/** BoolNode holds a boolean constant. */
export interface BoolNode extends Base {
  readonly type: "bool";
  readonly value: boolean;
}

/**
 * NumberNode holds a numeric constant under every type that can represent it, which
 * simulates Go's untyped constants (node.go NumberNode).
 */
export interface NumberNode extends Base {
  readonly type: "number";
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int64: bigint;
  uint64: bigint;
  float64: number;
  complex: { re: number; im: number };
  /** The original textual representation from the input. */
  readonly text: string;
}

/** StringNode holds a string constant. */
export interface StringNode extends Base {
  readonly type: "string";
  /** The original text of the string, with quotes. */
  readonly quoted: string;
  /** The string, after quote processing. */
  readonly text: string;
}

/** EndNode represents {{end}}; it does not appear in the final tree. */
export interface EndNode extends Base {
  readonly type: "end";
}

/** ElseNode represents {{else}}; it does not appear in the final tree. */
export interface ElseNode extends Base {
  readonly type: "else";
  readonly line: number;
}

/** BranchNode is an {{if}}, {{range}} or {{with}} action with its lists. */
export interface BranchNode extends Base {
  readonly type: "if" | "range" | "with";
  readonly line: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | null;
}

/** TemplateNode is a {{template}} invocation (also produced by {{block}}). */
export interface TemplateNode extends Base {
  readonly type: "template";
  readonly line: number;
  readonly name: string;
  readonly pipe: PipeNode | null;
}

/** BreakNode represents {{break}} inside a range. */
export interface BreakNode extends Base {
  readonly type: "break";
  readonly line: number;
}

/** ContinueNode represents {{continue}} inside a range. */
export interface ContinueNode extends Base {
  readonly type: "continue";
  readonly line: number;
}

/** Node is an element in the parse tree. */
export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | PipeNode
  | ActionNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | EndNode
  | ElseNode
  | BranchNode
  | TemplateNode
  | BreakNode
  | ContinueNode;

function assertNever(n: never): never {
  throw new Error(`unknown node: ${JSON.stringify(n)}`);
}

/**
 * nodeString renders a node as its Node.String method does. Text nodes print raw unless
 * quoteText is set (Go's tests switch the text format to %q the same way).
 */
export function nodeString(n: Node, quoteText = false): string {
  const s = (m: Node): string => nodeString(m, quoteText);
  switch (n.type) {
    case "list":
      return n.nodes.map(s).join("");
    case "text":
      return quoteText ? goQuote(n.text) : n.text;
    case "comment":
      return "{{" + n.text + "}}";
    case "pipe": {
      let out = "";
      if (n.decl.length > 0) {
        out += n.decl.map(s).join(", ") + (n.isAssign ? " = " : " := ");
      }
      return out + n.cmds.map(s).join(" | ");
    }
    case "action":
      return "{{" + s(n.pipe) + "}}";
    case "command":
      return n.args.map((a) => (a.type === "pipe" ? "(" + s(a) + ")" : s(a))).join(" ");
    case "identifier":
      return n.ident;
    case "variable":
      return n.ident.join(".");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "field":
      return n.ident.map((id) => "." + id).join("");
    case "chain":
      return (
        (n.node.type === "pipe" ? "(" + s(n.node) + ")" : s(n.node)) +
        n.field.map((f) => "." + f).join("")
      );
    case "bool":
      return n.value ? "true" : "false";
    case "number":
      return n.text;
    case "string":
      return n.quoted;
    case "end":
      return "{{end}}";
    case "else":
      return "{{else}}";
    case "if":
    case "range":
    case "with": {
      let out = "{{" + n.type + " " + s(n.pipe) + "}}" + s(n.list);
      if (n.elseList) out += "{{else}}" + s(n.elseList);
      return out + "{{end}}";
    }
    case "template":
      return "{{template " + goQuote(n.name) + (n.pipe ? " " + s(n.pipe) : "") + "}}";
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    default:
      return assertNever(n);
  }
}

/** isEmptyTree reports whether a tree (node) is empty of everything but space or comments. */
export function isEmptyTree(n: Node | null): boolean {
  if (n === null) return true;
  switch (n.type) {
    case "comment":
      return true;
    case "list":
      return n.nodes.every(isEmptyTree);
    case "text":
      return goTrimSpace(n.text) === "";
    case "action":
    case "if":
    case "range":
    case "template":
    case "with":
      return false;
    default:
      throw new Error("unknown node: " + nodeString(n));
  }
}
