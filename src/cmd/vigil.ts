// The `vigil` command: flags → configuration → wiring, with no logic of its own
// (the role of Prometheus's cmd/prometheus/main.go). See src/cli for the commands.
export { main } from "../cli/index.ts";
