import { PromQLExtension } from "@prometheus-io/codemirror-promql";
import type { Extension } from "@codemirror/state";
import type { ErrorRange } from "../../components/CodeEditor.tsx";
import { CodeEditor } from "../../components/CodeEditor.tsx";

let language: Extension | undefined;

/**
 * promqlLanguage is the PromQL support of codemirror-promql, completing metric names, labels
 * and values from Vigil's own /api/v1 (same origin) and linting the syntax as one types. One
 * instance serves every editor so that its metadata cache is shared.
 */
function promqlLanguage(): Extension {
  language ??= new PromQLExtension()
    .setComplete({
      remote: {
        url: "",
        httpMethod: "GET",
        lookbackInterval: 12 * 3_600_000,
        cache: { maxAge: 5 * 60_000 },
        httpErrorHandler: (err: unknown) => console.warn("PromQL completion request failed", err),
      },
    })
    .asExtension();
  return language;
}

/** PromQLEditorProps configure a PromQLEditor. */
export interface PromQLEditorProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly onExecute: () => void;
  readonly error?: ErrorRange;
  readonly ariaLabel?: string;
}

/** PromQLEditor edits a PromQL expression with completion and syntax errors in place. */
export function PromQLEditor({ ariaLabel = "PromQL expression", ...rest }: PromQLEditorProps) {
  return (
    <CodeEditor
      {...rest}
      language={promqlLanguage()}
      ariaLabel={ariaLabel}
      placeholder="Expression, e.g. rate(vigil_http_requests_total[5m]) — Shift+Enter to run"
    />
  );
}
