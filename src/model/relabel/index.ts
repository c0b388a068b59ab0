// Relabeling (relabel_configs, metric_relabel_configs) with Prometheus's semantics.
export type { RelabelAction, RelabelConfig, RelabelConfigInput } from "./relabel.ts";
export { RELABEL_ACTIONS, RelabelConfigError, newRelabelConfig, relabel } from "./relabel.ts";
