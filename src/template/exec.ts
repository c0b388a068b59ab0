// The template executor: a port of text/template/exec.go over the value model of value.ts.
// Execution is asynchronous so that template functions may return promises (Prometheus's
// `query` runs a PromQL query); everything else follows Go step by step, including where the
// "current node" for error messages is updated, so that errors read exactly like Go's:
//
//   template: <name>:<line>:<col>: executing "<template>" at <<node>>: <message>
//
// where <col> is the byte offset of the node in its line, as in Go's ErrorContext.

import { BUILTINS, callBuiltin, printable, truth } from "./funcs.ts";
import { sprint } from "./fmt.ts";
import { nodeString } from "./node.ts";
import type {
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  Tree,
  VariableNode,
} from "./node.ts";
import { byteLength, goQuote } from "./strconv.ts";
import { GoTime } from "./time.ts";
import {
  GoComplex,
  assignable,
  canBeNil,
  findMethod,
  getSignature,
  intOf,
  isNil,
  isTrue,
  kindOf,
  literalKind,
  mapElemType,
  mapKeyType,
  mapKeys,
  mapLookup,
  paramTypeName,
  structField,
  typeName,
  zeroOf,
} from "./value.ts";
import type { AnyFunction, ParamType } from "./value.ts";
import { sortKeys } from "./fmt.ts";

/** MissingKey is the missingkey option: what a missing map key evaluates to. */
export type MissingKey = "invalid" | "zero" | "error";

/** ExecTemplate is what the executor needs from a template (see template.ts). */
export interface ExecTemplate {
  readonly name: string;
  readonly tree: Tree | null;
  readonly missingKey: MissingKey;
  lookup(name: string): ExecTemplate | undefined;
  findFunction(name: string): { fn: AnyFunction; builtin: boolean } | undefined;
}

/**
 * TemplateExecError is an execution failure (Go's template.ExecError). The message carries the
 * location and context; cause is the error a function returned, if that was the failure.
 */
export class TemplateExecError extends Error {
  constructor(
    message: string,
    readonly templateName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TemplateExecError";
  }
}

/** MAX_EXEC_DEPTH is the maximum nesting of {{template}} invocations. */
export const MAX_EXEC_DEPTH = 100000;

const MISSING: unique symbol = Symbol("missing");
type Final = unknown;

const BREAK = Symbol("break");
const CONTINUE = Symbol("continue");

/** normalize turns JavaScript values that stand for Go types into their Go counterparts. */
export function normalize(v: unknown): unknown {
  return v instanceof Date ? GoTime.fromDate(v) : v;
}

/** errorContext returns "parseName:line:col" and the text of node n (parse.go ErrorContext). */
export function errorContext(n: Node): [location: string, context: string] {
  const tree = n.tree;
  const text = tree.text.slice(0, n.pos);
  const nl = text.lastIndexOf("\n");
  const col = nl === -1 ? byteLength(text) : byteLength(text.slice(nl + 1));
  let line = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return [`${tree.parseName}:${line}:${col}`, nodeString(n)];
}

interface Variable {
  name: string;
  value: unknown;
}

function isHexInt(s: string): boolean {
  return s.length > 2 && s[0] === "0" && (s[1] === "x" || s[1] === "X") && !/[pP]/.test(s);
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** State is the state of one execution; nested {{template}} calls get their own. */
class State {
  node: Node | null = null;

  constructor(
    readonly tmpl: ExecTemplate,
    readonly out: string[],
    readonly depth: number,
    readonly vars: Variable[],
  ) {}

  // --- variables ---

  push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  mark(): number {
    return this.vars.length;
  }

  pop(mark: number): void {
    this.vars.length = mark;
  }

  setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n].value = value;
  }

  varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) return this.vars[i].value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // --- errors ---

  at(node: Node): void {
    this.node = node;
  }

  errorf(msg: string, cause?: unknown): never {
    const name = this.tmpl.name;
    let full: string;
    if (this.node === null) {
      full = `template: ${name}: ${msg}`;
    } else {
      const [location, context] = errorContext(this.node);
      full = `template: ${location}: executing ${goQuote(name)} at <${context}>: ${msg}`;
    }
    throw new TemplateExecError(full, name, cause === undefined ? undefined : { cause });
  }

  // --- walking ---

  async walk(dot: unknown, node: Node): Promise<void> {
    this.at(node);
    switch (node.type) {
      case "action": {
        // Do not pop variables so they persist until the next end; if the action declares
        // variables, don't print the result.
        const val = await this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case "break":
        throw BREAK;
      case "comment":
        return;
      case "continue":
        throw CONTINUE;
      case "if":
      case "with":
        return this.walkIfOrWith(node, dot);
      case "list":
        for (const n of node.nodes) {
          // Text needs no evaluation; skipping the asynchronous call keeps long lists cheap.
          if (n.type === "text") {
            this.at(n);
            this.out.push(n.text);
          } else {
            await this.walk(dot, n);
          }
        }
        return;
      case "range":
        return this.walkRange(dot, node);
      case "template":
        return this.walkTemplate(dot, node);
      case "text":
        this.out.push(node.text);
        return;
    }
    this.errorf(`unknown node: ${nodeString(node)}`);
  }

  private async walkIfOrWith(node: BranchNode, dot: unknown): Promise<void> {
    const mark = this.mark();
    try {
      const val = await this.evalPipeline(dot, node.pipe);
      const [t, ok] = isTrue(val);
      if (!ok) this.errorf(`if/with can't use ${sprint([val])}`);
      if (t) await this.walk(node.type === "with" ? val : dot, node.list);
      else if (node.elseList) await this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private async walkRange(dot: unknown, r: BranchNode): Promise<void> {
    this.at(r);
    const outer = this.mark();
    try {
      const val = await this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const oneIteration = async (index: unknown, elem: unknown): Promise<void> => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            this.setVar(decl[0].ident[0], decl.length > 1 ? index : elem);
          } else {
            this.setTopVar(1, elem);
          }
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1].ident[0], elem);
          else this.setTopVar(2, index);
        }
        try {
          await this.walk(elem, r.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
      };
      try {
        let iterated = false;
        switch (kindOf(val)) {
          case "slice": {
            const items = val as unknown[];
            for (let i = 0; i < items.length; i++) {
              iterated = true;
              await oneIteration(BigInt(i), normalize(items[i]));
            }
            break;
          }
          case "map":
            for (const key of sortKeys(mapKeys(val))) {
              iterated = true;
              await oneIteration(key, normalize(mapLookup(val, key).value));
            }
            break;
          case "int": {
            if (decl.length > 1) {
              this.errorf(`can't use ${sprint([val])} to iterate over more than one variable`);
            }
            const n = intOf(val);
            for (let i = 0n; i < n; i++) {
              iterated = true;
              await oneIteration(i, i);
            }
            break;
          }
          case "invalid":
            // An invalid value is likely a nil map, etc. and acts like an empty map.
            break;
          default:
            this.errorf(`range can't iterate over ${sprint([val])}`);
        }
        if (!iterated && r.elseList) await this.walk(dot, r.elseList);
      } catch (e) {
        if (e !== BREAK) throw e;
      }
    } finally {
      this.pop(outer);
    }
  }

  private async walkTemplate(dot: unknown, t: TemplateNode): Promise<void> {
    this.at(t);
    const tmpl = this.tmpl.lookup(t.name);
    if (!tmpl) this.errorf(`template ${goQuote(t.name)} not defined`);
    if (this.depth === MAX_EXEC_DEPTH) {
      this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    }
    // Variables declared by the pipeline persist.
    const newDot = await this.evalPipeline(dot, t.pipe);
    // No dynamic scoping: template invocations inherit no variables.
    const state = new State(tmpl, this.out, this.depth + 1, [{ name: "$", value: newDot }]);
    if (tmpl.tree?.root) await state.walk(newDot, tmpl.tree.root);
  }

  // --- evaluation ---

  async evalPipeline(dot: unknown, pipe: PipeNode | null): Promise<unknown> {
    if (pipe === null) return undefined;
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = await this.evalCommand(dot, cmd, value);
    }
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.ident[0], value);
      else this.push(variable.ident[0], value);
    }
    return value;
  }

  private notAFunction(args: Node[] | null, final: Final): void {
    if ((args !== null && args.length > 1) || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args![0])}`);
    }
  }

  private async evalCommand(dot: unknown, cmd: CommandNode, final: Final): Promise<unknown> {
    const args = cmd.args;
    const first = args[0];
    switch (first.type) {
      case "field":
        return this.evalFieldNode(dot, first, args, final);
      case "chain":
        return this.evalChainNode(dot, first, args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, args, final);
      case "pipe":
        this.notAFunction(args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, args, final);
    }
    this.at(first);
    this.notAFunction(args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        return this.errorf("nil is not a command");
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
    }
    this.errorf(`can't evaluate command ${goQuote(nodeString(first))}`);
  }

  private idealConstant(constant: NumberNode): unknown {
    this.at(constant);
    if (constant.isComplex) return new GoComplex(constant.complex.re, constant.complex.im);
    if (
      constant.isFloat &&
      !isHexInt(constant.text) &&
      constant.text[0] !== "'" &&
      /[.eEpP]/.test(constant.text)
    ) {
      return constant.float64;
    }
    if (constant.isInt) return constant.int64;
    if (constant.isUint) this.errorf(`${constant.text} overflows int`);
    return undefined;
  }

  private async evalFieldNode(
    dot: unknown,
    field: FieldNode,
    args: Node[] | null,
    final: Final,
  ): Promise<unknown> {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private async evalChainNode(
    dot: unknown,
    chain: ChainNode,
    args: Node[] | null,
    final: Final,
  ): Promise<unknown> {
    this.at(chain);
    if (chain.field.length === 0) this.errorf("internal error: no fields in evalChainNode");
    if (chain.node.type === "nil") {
      this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    }
    const pipe = await this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private async evalVariableNode(
    dot: unknown,
    variable: VariableNode,
    args: Node[] | null,
    final: Final,
  ): Promise<unknown> {
    this.at(variable);
    const value = this.varValue(variable.ident[0]);
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  private async evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: Node,
    ident: string[],
    args: Node[] | null,
    final: Final,
  ): Promise<unknown> {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) {
      receiver = await this.evalField(dot, ident[i], node, null, MISSING, receiver);
    }
    return this.evalField(dot, ident[n - 1], node, args, final, receiver);
  }

  private async evalFunction(
    dot: unknown,
    node: IdentifierNode,
    cmd: Node,
    args: Node[] | null,
    final: Final,
  ): Promise<unknown> {
    this.at(node);
    const name = node.ident;
    const found = this.tmpl.findFunction(name);
    if (!found) this.errorf(`${goQuote(name)} is not a defined function`);
    return this.evalCall(dot, found.fn, undefined, found.builtin, cmd, name, args, final);
  }

  private async evalField(
    dot: unknown,
    fieldName: string,
    node: Node,
    args: Node[] | null,
    final: Final,
    receiver: unknown,
  ): Promise<unknown> {
    if (isNil(receiver)) {
      if (this.tmpl.missingKey === "error") {
        this.errorf(`nil data; no entry for key ${goQuote(fieldName)}`);
      }
      return undefined;
    }
    const method = findMethod(receiver, fieldName);
    if (method) return this.evalCall(dot, method, receiver, false, node, fieldName, args, final);
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    switch (kindOf(receiver)) {
      case "struct": {
        const { found, value } = structField(receiver as object, fieldName);
        if (found) {
          if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
          return normalize(value);
        }
        break;
      }
      case "map":
        if (mapKeyType(receiver) === "string") {
          if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
          const { found, value } = mapLookup(receiver, fieldName);
          if (!found) {
            switch (this.tmpl.missingKey) {
              case "invalid":
                return undefined;
              case "zero":
                return zeroOf(mapElemType(receiver));
              case "error":
                this.errorf(`map has no entry for key ${goQuote(fieldName)}`);
            }
          }
          return normalize(value);
        }
        break;
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
  }

  private async evalCall(
    dot: unknown,
    fun: AnyFunction,
    thisArg: unknown,
    isBuiltin: boolean,
    node: Node,
    name: string,
    args: Node[] | null,
    final: Final,
  ): Promise<unknown> {
    const argNodes = args !== null ? args.slice(1) : [];
    const sig = getSignature(fun);
    let numIn = argNodes.length;
    if (final !== MISSING) numIn++;
    let numFixed = argNodes.length;
    if (sig.variadic !== undefined) {
      numFixed = sig.params.length;
      if (numIn < numFixed) {
        this.errorf(
          `wrong number of args for ${name}: want at least ${numFixed} got ${argNodes.length}`,
        );
      }
    } else if (numIn !== sig.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${sig.params.length} got ${numIn}`);
    }

    // Special case for builtin and/or, which short-circuit.
    if (isBuiltin && (name === "and" || name === "or")) {
      let v: unknown = undefined;
      for (const arg of argNodes) {
        v = await this.evalArg(dot, "value", arg);
        if (truth(v) === (name === "or")) return v;
      }
      if (final !== MISSING) v = this.validateType(final, "value");
      return v;
    }

    // Build the arg list: fixed args first, then the variadic ones, then the final value.
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++) {
      argv.push(await this.evalArg(dot, sig.params[i], argNodes[i]));
    }
    if (sig.variadic !== undefined) {
      for (; i < argNodes.length; i++)
        argv.push(await this.evalArg(dot, sig.variadic, argNodes[i]));
    }
    if (final !== MISSING) {
      let t: ParamType;
      if (sig.variadic === undefined) t = sig.params[sig.params.length - 1];
      else t = numIn - 1 < numFixed ? sig.params[numIn - 1] : sig.variadic;
      argv.push(this.validateType(final, t));
    }

    let impl: (...a: unknown[]) => unknown = fun as (...a: unknown[]) => unknown;
    if (isBuiltin && name === "call") {
      // Insert the name of the callee function as the first argument.
      const calleeName =
        argNodes.length === 0 ? `<${typeName(final)} Value>` : nodeString(argNodes[0]);
      argv.unshift(calleeName);
      impl = callBuiltin as (...a: unknown[]) => unknown;
    }
    let v: unknown;
    try {
      v = await impl.apply(thisArg, argv);
    } catch (err) {
      if (err instanceof TemplateExecError) throw err;
      this.at(node);
      this.errorf(`error calling ${name}: ${messageOf(err)}`, err);
    }
    return normalize(v);
  }

  private validateType(value: unknown, typ: ParamType | null): unknown {
    if (isNil(value)) {
      if (typ === null || canBeNil(typ)) return undefined;
      this.errorf(`invalid value; expected ${paramTypeName(typ)}`);
    }
    if (typ !== null) {
      if (!assignable(value, typ)) {
        this.errorf(`wrong type for value; expected ${paramTypeName(typ)}; got ${typeName(value)}`);
      }
      if (typeof typ === "object" && typ.convert) return typ.convert(value);
    }
    return value;
  }

  private async evalArg(dot: unknown, typ: ParamType | null, n: Node): Promise<unknown> {
    this.at(n);
    switch (n.type) {
      case "dot":
        return this.validateType(dot, typ);
      case "nil":
        if (typ !== null && canBeNil(typ)) return undefined;
        return this.errorf(`cannot assign nil to ${typ === null ? "<nil>" : paramTypeName(typ)}`);
      case "field":
        return this.validateType(await this.evalFieldNode(dot, n, [n], MISSING), typ);
      case "variable":
        return this.validateType(await this.evalVariableNode(dot, n, null, MISSING), typ);
      case "pipe":
        return this.validateType(await this.evalPipeline(dot, n), typ);
      case "identifier":
        return this.validateType(await this.evalFunction(dot, n, n, null, MISSING), typ);
      case "chain":
        return this.validateType(await this.evalChainNode(dot, n, null, MISSING), typ);
    }
    switch (typ === null ? "any" : literalKind(typ)) {
      case "bool":
        if (n.type === "bool") return n.value;
        return this.errorf(`expected bool; found ${nodeString(n)}`);
      case "string":
        if (n.type === "string") return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case "int":
        if (n.type === "number" && n.isInt) return n.int64;
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case "float":
        if (n.type === "number" && n.isFloat) return n.float64;
        return this.errorf(`expected float; found ${nodeString(n)}`);
      case "any":
        return this.evalEmptyInterface(dot, n);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${paramTypeName(typ!)}`);
  }

  private async evalEmptyInterface(dot: unknown, n: Node): Promise<unknown> {
    this.at(n);
    switch (n.type) {
      case "bool":
        return n.value;
      case "dot":
        return dot;
      case "field":
        return this.evalFieldNode(dot, n, null, MISSING);
      case "identifier":
        return this.evalFunction(dot, n, n, null, MISSING);
      case "nil":
        return this.errorf("evalEmptyInterface: nil (can't happen)");
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
      case "variable":
        return this.evalVariableNode(dot, n, null, MISSING);
      case "pipe":
        return this.evalPipeline(dot, n);
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }

  private printValue(node: Node, v: unknown): void {
    this.at(node);
    if (kindOf(v) === "func" && !findMethod(v, "String") && !findMethod(v, "Error")) {
      this.errorf(`can't print ${nodeString(node)} of type ${typeName(v)}`);
    }
    this.out.push(sprint([printable(v)]));
  }
}

/**
 * execute runs a template with the given data and returns its output. It throws a
 * TemplateExecError on failure; output written before the failure is discarded.
 */
export async function execute(tmpl: ExecTemplate, data: unknown): Promise<string> {
  const value = normalize(data);
  const out: string[] = [];
  const state: State = new State(tmpl, out, 0, [{ name: "$", value }]);
  const root = tmpl.tree?.root;
  if (!root) state.errorf(`${goQuote(tmpl.name)} is an incomplete or empty template`);
  await state.walk(value, root);
  return out.join("");
}

export { BUILTINS };
