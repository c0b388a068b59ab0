// Go's text/template language for rule and notification templates: lexer, parser, executor
// and the function libraries of Prometheus and Alertmanager.
//
//   const t = parseTemplate("greeting", "{{ range . }}{{ . | printf \"%-5s\" }}|{{ end }}");
//   await t.execute(["a", "b"]);                       // "a    |b    |"
//   await expandAlertTemplate("{{ $labels.job }} is at {{ $value | humanize }}", input);
//   await new AlertmanagerTemplates({ externalURL }).executeTextString(text, data);
//
// Template data are plain JavaScript values: numbers are float64, bigints are Go ints, Arrays
// slices, Maps and plain objects maps, class instances structs (see value.ts).
export { Template, parseTemplate } from "./template.ts";
export type { FuncMap, TemplateOptions } from "./template.ts";
export { TemplateParseError } from "./parse.ts";
export { TemplateExecError } from "./exec.ts";
export type { MissingKey } from "./exec.ts";
export { nodeString } from "./node.ts";
export type { Node, Tree } from "./node.ts";
export { sprint, sprintf, sprintln } from "./fmt.ts";
export { GO_TYPE, anyMap, anySlice, goFunc, setGoType, stringMap, stringSlice } from "./value.ts";
export type { CustomParamType, GoTypeInfo, ParamType, Signature } from "./value.ts";
export { GoDuration, GoLocation, GoTime, UTC, fixedZone, loadLocation } from "./time.ts";
export { marshalJSON } from "./json.ts";
export {
  ALERT_TEMPLATE_DEFS,
  alertTemplateData,
  alertTemplateErrorText,
  expandAlertTemplate,
  expandTemplate,
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage,
  humanizeTimestamp,
  prometheusFuncs,
} from "./prometheus.ts";
export type {
  AlertExpandInput,
  AlertTemplateInput,
  ExpandOptions,
  PrometheusFuncOptions,
  TemplateQueryFunc,
  TemplateQuerySample,
} from "./prometheus.ts";
export {
  Alert,
  AlertmanagerTemplates,
  Alerts,
  Data,
  KV,
  Pair,
  Pairs,
  Strings,
  alertmanagerFuncs,
  labelSetFingerprint,
  newAlertmanagerData,
} from "./alertmanager.ts";
export type {
  AlertInput,
  AlertmanagerTemplateOptions,
  DataInput,
  TimeInput,
} from "./alertmanager.ts";
