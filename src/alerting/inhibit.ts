// Inhibition (inhibit/inhibit.go, v0.33): an alert matching a rule's target matchers is muted
// while an unresolved alert matching the source matchers has the same values for the `equal`
// labels. An alert that matches both sides is not inhibited by an alert that also matches both.
import type { Alert } from "./alert.ts";
import { fingerprint, resolvedAt } from "./alert.ts";
import type { AlertStore } from "./alert-store.ts";
import type { InhibitRuleConfig } from "./config/types.ts";
import type { AmMatcher, LabelSet } from "./matchers.ts";
import { matchersMatch } from "./matchers.ts";

class InhibitRule {
  readonly name: string;
  readonly source: readonly AmMatcher[];
  readonly target: readonly AmMatcher[];
  readonly equal: readonly string[];
  /** Source alerts by fingerprint (scache). */
  private readonly cache = new Map<string, Alert>();
  /** equal-labels fingerprint → source alert fingerprint (sindex). */
  private readonly index = new Map<string, string>();

  constructor(cfg: InhibitRuleConfig) {
    this.name = cfg.name;
    this.source = cfg.sourceMatchers;
    this.target = cfg.targetMatchers;
    this.equal = cfg.equal;
  }

  private equalKey(ls: LabelSet): string {
    const eq: Record<string, string> = {};
    for (const n of this.equal) eq[n] = ls[n] ?? "";
    return fingerprint(eq);
  }

  /** process adds a source alert (processAlert, updateIndex). */
  process(a: Alert, fp: string): void {
    if (!matchersMatch(this.source, a.labels)) return;
    this.cache.set(fp, a);
    const eq = this.equalKey(a.labels);
    const indexed = this.index.get(eq);
    if (indexed === undefined || indexed === fp) {
      this.index.set(eq, fp);
      return;
    }
    const existing = this.cache.get(indexed);
    if (existing === undefined || resolvedAt(existing, a.endsAtMs)) this.index.set(eq, fp);
  }

  /** gc drops resolved source alerts (the 15-minute scache GC). */
  gc(now: number): void {
    for (const [fp, a] of this.cache) {
      if (resolvedAt(a, now)) {
        this.cache.delete(fp);
        this.index.delete(this.equalKey(a.labels));
      }
    }
  }

  /** inhibitedBy returns the fingerprint of the inhibiting source alert, if any (hasEqual). */
  inhibitedBy(ls: LabelSet, now: number): string | undefined {
    if (!matchersMatch(this.target, ls)) return undefined;
    const sfp = this.index.get(this.equalKey(ls));
    if (sfp === undefined) return undefined;
    const src = this.cache.get(sfp);
    if (src === undefined || resolvedAt(src, now)) return undefined;
    if (matchersMatch(this.source, ls) && matchersMatch(this.target, src.labels)) return undefined;
    return sfp;
  }
}

/** Inhibitor mutes alerts by the inhibit rules; see the file comment. */
export class Inhibitor {
  private readonly rules: InhibitRule[];
  private readonly listener = (a: Alert, fp: string): void => {
    for (const r of this.rules) r.process(a, fp);
  };

  constructor(
    rules: readonly InhibitRuleConfig[],
    private readonly store: AlertStore,
    private readonly now: () => number,
  ) {
    this.rules = rules.map((r) => new InhibitRule(r));
    for (const a of store.subscribe(this.listener)) this.listener(a, fingerprint(a.labels));
  }

  /**
   * mutes returns the fingerprints of the alerts inhibiting one with these labels (at most
   * one, from the first rule that inhibits it, as Inhibitor.Mutes).
   */
  inhibitedBy(ls: LabelSet): string[] {
    const now = this.now();
    for (const r of this.rules) {
      const fp = r.inhibitedBy(ls, now);
      if (fp !== undefined) return [fp];
    }
    return [];
  }

  gc(): void {
    const now = this.now();
    for (const r of this.rules) r.gc(now);
  }

  /** stop detaches the inhibitor from the store (on reload). */
  stop(): void {
    this.store.unsubscribe(this.listener);
  }
}
