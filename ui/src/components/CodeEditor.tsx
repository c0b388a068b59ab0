// A one-language CodeMirror 6 editor used for PromQL and LogQL: controlled by `value`, runs the
// query on Shift+Enter (or Ctrl/Cmd+Enter), and shows an error range from the server in place.
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from "@codemirror/autocomplete";
import {
  defaultKeymap,
  history,
  historyKeymap,
  insertNewlineAndIndent,
} from "@codemirror/commands";
import { HighlightStyle, bracketMatching, syntaxHighlighting } from "@codemirror/language";
import { setDiagnostics } from "@codemirror/lint";
import type { Extension } from "@codemirror/state";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, placeholder as placeholderExt } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { useEffect, useRef } from "react";
import styles from "./CodeEditor.module.css";

/** ErrorRange marks a server-reported error in the text (UTF-16 offsets). */
export interface ErrorRange {
  readonly from: number;
  readonly to: number;
  readonly message: string;
}

/** CodeEditorProps configure a CodeEditor. */
export interface CodeEditorProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  /** onExecute runs the query (Shift+Enter, Ctrl/Cmd+Enter). */
  readonly onExecute: () => void;
  /** language is the language support (highlighting, completion, lint). */
  readonly language: Extension;
  readonly ariaLabel: string;
  readonly placeholder?: string;
  /** error is shown as a diagnostic until the text changes. */
  readonly error?: ErrorRange;
}

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: "var(--cm-keyword)" },
  {
    tag: [tags.function(tags.variableName), tags.function(tags.name)],
    color: "var(--cm-function)",
  },
  { tag: [tags.string, tags.regexp], color: "var(--cm-string)" },
  { tag: [tags.number, tags.unit], color: "var(--cm-number)" },
  { tag: [tags.labelName, tags.propertyName, tags.attributeName], color: "var(--cm-label)" },
  { tag: tags.operator, color: "var(--cm-operator)" },
  { tag: tags.comment, color: "var(--text-muted)", fontStyle: "italic" },
  { tag: tags.invalid, color: "var(--err)" },
]);

const theme = EditorView.theme({
  "&": { backgroundColor: "var(--surface)", color: "var(--text)" },
  "&.cm-focused": { outline: "none" },
  ".cm-content": {
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
    fontSize: "13px",
    caretColor: "var(--text)",
    padding: "6px 0",
  },
  ".cm-cursor": { borderLeftColor: "var(--text)" },
  ".cm-selectionBackground, &.cm-focused .cm-selectionBackground, ::selection": {
    backgroundColor: "var(--info-bg) !important",
  },
  ".cm-placeholder": { color: "var(--text-muted)" },
  ".cm-tooltip": {
    backgroundColor: "var(--surface)",
    color: "var(--text)",
    border: "1px solid var(--border)",
  },
  ".cm-tooltip-autocomplete ul li[aria-selected]": {
    backgroundColor: "var(--accent)",
    color: "var(--accent-text)",
  },
  ".cm-completionDetail": { color: "var(--text-muted)" },
  ".cm-diagnostic-error": { borderLeftColor: "var(--err)" },
  ".cm-matchingBracket": {
    backgroundColor: "var(--surface-2)",
    outline: "1px solid var(--border)",
  },
});

/** CodeEditor is a query editor; see CodeEditorProps. */
export function CodeEditor({
  value,
  onChange,
  onExecute,
  language,
  ariaLabel,
  placeholder,
  error,
}: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The editor is built once; callbacks are read through refs so that they stay current.
  const onChangeRef = useRef(onChange);
  const onExecuteRef = useRef(onExecute);
  onChangeRef.current = onChange;
  onExecuteRef.current = onExecute;

  useEffect(() => {
    if (!host.current) return undefined;
    const run = () => {
      onExecuteRef.current();
      return true;
    };
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          closeBrackets(),
          bracketMatching(),
          autocompletion({ activateOnTyping: true }),
          keymap.of([
            { key: "Shift-Enter", run, preventDefault: true },
            { key: "Mod-Enter", run, preventDefault: true },
            { key: "Enter", run: insertNewlineAndIndent },
            ...closeBracketsKeymap,
            ...completionKeymap,
            ...historyKeymap,
            ...defaultKeymap,
          ]),
          language,
          syntaxHighlighting(highlight),
          theme,
          EditorView.lineWrapping,
          placeholderExt(placeholder ?? ""),
          EditorView.contentAttributes.of({ "aria-label": ariaLabel, "aria-multiline": "true" }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once per language; value changes are applied below.
  }, [language]);

  // Apply outside changes of value (e.g. browser back) without resetting the cursor on typing.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const len = v.state.doc.length;
    const diagnostics = error
      ? [
          {
            from: Math.min(error.from, len),
            to: Math.min(Math.max(error.to, error.from), len),
            severity: "error" as const,
            message: error.message,
            source: "server",
          },
        ]
      : [];
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [error]);

  return <div ref={host} className={styles.editor} data-testid="query-editor" />;
}
