// LogQL editing: the grammar of @grafana/lezer-logql for highlighting, syntax errors marked as
// one types, and completion of label names and values from /loki/api/v1/labels.
import type { CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import { LRLanguage, LanguageSupport, syntaxTree } from "@codemirror/language";
import type { Diagnostic } from "@codemirror/lint";
import { linter } from "@codemirror/lint";
import type { Extension } from "@codemirror/state";
import { parser } from "@grafana/lezer-logql";
import { styleTags, tags as t } from "@lezer/highlight";
import { fetchAPI } from "../../api/api.ts";
import type { ErrorRange } from "../../components/CodeEditor.tsx";
import { CodeEditor } from "../../components/CodeEditor.tsx";

const logqlLanguage = LRLanguage.define({
  name: "logql",
  parser: parser.configure({
    props: [
      styleTags({
        "Json Logfmt Unpack Pattern Regexp Unwrap LabelFormat LineFormat LabelReplace Decolorize Drop Keep By Without Bool On Ignoring GroupLeft GroupRight Offset Ip":
          t.keyword,
        "Sum Avg Count Max Min Stddev Stdvar Bottomk Topk Sort Sort_Desc Rate RateCounter CountOverTime BytesRate BytesOverTime AbsentOverTime SumOverTime AvgOverTime MaxOverTime MinOverTime StddevOverTime StdvarOverTime QuantileOverTime FirstOverTime LastOverTime Vector":
          t.function(t.variableName),
        String: t.string,
        "Number Duration Bytes": t.number,
        "Identifier LabelName": t.labelName,
        "Eq Neq Re Nre PipeExact PipeMatch PipePattern Npa Pipe Gtr Gte Lss Lte Eql Add Sub Mul Div Mod Pow And Or Unless":
          t.operator,
        LineComment: t.lineComment,
      }),
    ],
  }),
  languageData: { closeBrackets: { brackets: ["(", "[", "{", '"', "`"] } },
});

const labelCache = new Map<string, Promise<string[]>>();

function cached(path: string): Promise<string[]> {
  let p = labelCache.get(path);
  if (!p) {
    p = fetchAPI<string[]>(path, { timeoutMs: 10_000 }).then(
      (r) => r.data ?? [],
      () => [],
    );
    labelCache.set(path, p);
    setTimeout(() => labelCache.delete(path), 60_000);
  }
  return p;
}

/** completeLabels completes label names inside a selector and values after a matcher. */
async function completeLabels(ctx: CompletionContext): Promise<CompletionResult | null> {
  const before = ctx.state.sliceDoc(Math.max(0, ctx.pos - 500), ctx.pos);
  const open = before.lastIndexOf("{");
  if (open < 0 || before.lastIndexOf("}") > open) return null;
  const inSelector = before.slice(open);
  const value = /(\w+)\s*(?:=~|!~|!=|=)\s*"([^"]*)$/.exec(inSelector);
  if (value) {
    const values = await cached(`/loki/api/v1/label/${encodeURIComponent(value[1]!)}/values`);
    return {
      from: ctx.pos - value[2]!.length,
      options: values.map((v) => ({ label: v, type: "text" })),
      validFor: /^[^"]*$/,
    };
  }
  const name = /[{,]\s*(\w*)$/.exec(inSelector);
  if (name) {
    const names = await cached("/loki/api/v1/labels");
    return {
      from: ctx.pos - name[1]!.length,
      options: names.map((n) => ({ label: n, type: "property" })),
      validFor: /^\w*$/,
    };
  }
  return null;
}

const syntaxLinter = linter((view) => {
  const out: Diagnostic[] = [];
  if (view.state.doc.length === 0) return out;
  syntaxTree(view.state).iterate({
    enter: (n) => {
      if (n.type.isError && out.length < 5) {
        const from = Math.min(n.from, view.state.doc.length - 1);
        out.push({
          from,
          to: Math.max(n.to, from + 1),
          severity: "error",
          message: "LogQL syntax error",
        });
      }
    },
  });
  return out;
});

let support: Extension | undefined;

function logql(): Extension {
  support ??= [
    new LanguageSupport(logqlLanguage, [logqlLanguage.data.of({ autocomplete: completeLabels })]),
    syntaxLinter,
  ];
  return support;
}

/** LogQLEditorProps configure a LogQLEditor. */
export interface LogQLEditorProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly onExecute: () => void;
  readonly error?: ErrorRange;
}

/** LogQLEditor edits a LogQL query. */
export function LogQLEditor(props: LogQLEditorProps) {
  return (
    <CodeEditor
      {...props}
      language={logql()}
      ariaLabel="LogQL query"
      placeholder='Log query, e.g. {job="app"} |= "error" — Shift+Enter to run'
    />
  );
}
