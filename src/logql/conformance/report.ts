// Result types shared by the LogQL conformance runners.

/** CaseResult is the outcome of one vector (or one evaluation of a metric scenario). */
export interface CaseResult {
  readonly id: string;
  readonly passed: boolean;
  readonly reason?: string;
}

/** FileReport is the outcome of one vector file. */
export interface FileReport {
  readonly file: string;
  readonly results: readonly CaseResult[];
  /** error: the file could not be read or parsed. */
  readonly error?: string;
}

/** tally counts passed and failed cases. */
export function tally(reports: readonly FileReport[]): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const r of reports) {
    for (const c of r.results) {
      if (c.passed) passed++;
      else failed++;
    }
  }
  return { passed, failed };
}
