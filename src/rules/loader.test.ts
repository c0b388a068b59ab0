import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadRules, loadRulesOrThrow, RuleLoadError } from "./loader.ts";
import { WATCHDOG_FILE, withWatchdog } from "./watchdog.ts";

/** tree writes files (path → text) under a new temporary directory and returns it. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "vigil-rules-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const PAYMENTS_COMMON = `groups:
  - name: payments
    rules:
      - alert: PaymentsErrors
        expr: rate(errors_total[5m]) > 1
        labels: {severity: warning}
      - alert: PaymentsErrors
        expr: rate(errors_total[5m]) > 10
        labels: {severity: critical}
      - alert: PaymentsDown
        expr: up{job="payments"} == 0
      - record: job:requests:rate5m
        expr: sum by (job) (rate(requests_total[5m]))
`;

describe("loadRules", () => {
  it("expands rule_files globs", async () => {
    const root = tree({
      "a.yml": "groups:\n  - name: a\n    rules:\n      - record: r\n        expr: up\n",
      "b.yml": "groups:\n  - name: b\n",
      "c.txt": "not rules",
    });
    const { rules, errors } = await loadRules({ ruleFiles: [join(root, "*.yml")] });
    assert.deepEqual(errors, []);
    assert.deepEqual(rules.files, [join(root, "a.yml"), join(root, "b.yml")]);
    assert.deepEqual(
      rules.groups.map((g) => `${g.file}:${g.spec.name}`),
      [`${join(root, "a.yml")}:a`, `${join(root, "b.yml")}:b`],
    );
  });

  it("loads common rules and applies the environment's overlay", async () => {
    const root = tree({
      "common/payments/alerts.yml": PAYMENTS_COMMON,
      "common/payments/alerts_test.yml": "rule_files: [alerts.yml]\ntests: []\n",
      "common/checkout/alerts.yaml":
        "groups:\n  - name: checkout\n    rules:\n      - alert: CheckoutSlow\n        expr: vector(1)\n",
      "prod/payments/alerts.yml": `groups:
  - name: payments
    interval: 30s
    rules:
      - alert: PaymentsErrors
        expr: rate(errors_total[5m]) > 50
        labels: {severity: critical}
      - alert: PaymentsFraud
        expr: fraud_score > 0.9
  - name: payments-prod-only
    rules:
      - record: prod:x
        expr: vector(1)
`,
      "staging/payments/alerts.yml": "groups:\n  - name: payments\n",
    });
    const common = await loadRulesOrThrow({ dir: root });
    assert.deepEqual(
      common.groups.map((g) => `${g.spec.name}: ${g.spec.rules.map((r) => r.name).join(", ")}`),
      [
        "checkout: CheckoutSlow",
        "payments: PaymentsErrors, PaymentsErrors, PaymentsDown, job:requests:rate5m",
      ],
    );
    assert.ok(!common.files.some((f) => f.endsWith("_test.yml")), "test files are not rules");

    const prod = await loadRulesOrThrow({ dir: root, env: "prod" });
    const byName = new Map(prod.groups.map((g) => [g.spec.name, g]));
    const payments = byName.get("payments")!;
    // The overlay's PaymentsErrors replaces both common ones, in place; new rules come last.
    assert.deepEqual(
      payments.spec.rules.map((r) => `${r.name} ${r.expr}`),
      [
        "PaymentsErrors rate(errors_total[5m]) > 50",
        'PaymentsDown up{job="payments"} == 0',
        "job:requests:rate5m sum by (job) (rate(requests_total[5m]))",
        "PaymentsFraud fraud_score > 0.9",
      ],
    );
    assert.equal(payments.spec.intervalMs, 30_000);
    assert.equal(payments.file, join(root, "common/payments/alerts.yml"));
    assert.deepEqual(payments.overlayFiles, [join(root, "prod/payments/alerts.yml")]);
    assert.equal(byName.get("payments-prod-only")!.file, join(root, "prod/payments/alerts.yml"));
    assert.equal(byName.get("checkout")!.spec.rules.length, 1);
  });

  it("refuses an environment without a directory", async () => {
    const root = tree({ "common/a/r.yml": "groups: []\n" });
    const { errors } = await loadRules({ dir: root, env: "prd" });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.kind, "io");
    assert.match(errors[0]!.message, /prd.*no such directory/);
  });

  it("collects the errors of every file, with file, line and rule", async () => {
    const root = tree({
      "common/a/good.yml":
        "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n",
      "common/a/bad.yml":
        "groups:\n  - name: g\n    rules:\n      - alert: Broken\n        expr: up ==\n",
    });
    const { rules, errors } = await loadRules({ dir: root });
    assert.deepEqual(rules.groups, []);
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        `${join(root, "common/a/bad.yml")}:5:15: group "g", rule 1, "Broken": could not parse expression: 1:6: parse error: unexpected end of input`,
      ],
    );
    await assert.rejects(loadRulesOrThrow({ dir: root }), RuleLoadError);
  });
});

describe("withWatchdog", () => {
  it("adds the built-in group unless the rules have their own Watchdog", () => {
    const none = withWatchdog({ files: [], groups: [] });
    assert.equal(none.groups.length, 1);
    const g = none.groups[0]!;
    assert.equal(g.file, WATCHDOG_FILE);
    assert.deepEqual(g.spec.rules[0]!.labels, { severity: "none" });
    assert.equal(g.spec.rules[0]!.expr, "vector(1)");
    const own = withWatchdog({
      files: [],
      groups: [{ file: "x.yml", spec: { ...g.spec, name: "mine" } }],
    });
    assert.equal(own.groups.length, 1);
  });
});
