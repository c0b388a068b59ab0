// The state of one heartbeat check, computed from its configuration, what it has received and
// the time: no timers, no I/O. healthchecks.io's Check.get_status and going_down_after are the
// model (hc/api/models.py), with Vigil's choice for checks that never beat (see checkStatus).
import type { Cron } from "croner";
import type { HeartbeatCheckConfig } from "./config.ts";
import { newCron } from "./config.ts";

/**
 * HeartbeatState is where a check stands:
 *  - new: never beaten, and its first deadline has not passed;
 *  - up: beaten, and the next beat is not yet due;
 *  - late: the next beat is due, but the grace time has not run out;
 *  - down: no beat by the deadline (expected time + grace), or a job that reported its start
 *    did not finish within the grace time; alert HeartbeatMissing;
 *  - failed: the last report was an explicit failure; alert HeartbeatFailed.
 */
export type HeartbeatState = "new" | "up" | "late" | "down" | "failed";

/** BeatKind is what a request to a check reports. */
export type BeatKind = "success" | "start" | "fail";

/** BEAT_KINDS lists the beat kinds (the values of the beats_total `kind` label). */
export const BEAT_KINDS: readonly BeatKind[] = ["success", "start", "fail"];

/** LastMessage is the body of the latest request to a check, whatever its kind. */
export interface LastMessage {
  readonly kind: BeatKind;
  readonly timeMs: number;
  readonly body: string;
}

/** CheckRecord is what a check has received; this is the state that is persisted. */
export interface CheckRecord {
  /**
   * firstSeenMs is when Vigil first had this check in its configuration; a check that never
   * beats is expected relative to it. It survives restarts, so that a restart does not give a
   * silent job another period.
   */
  firstSeenMs: number;
  lastBeatMs?: number;
  lastStartMs?: number;
  lastFailMs?: number;
  /**
   * failed says whether the latest success-or-failure was a failure (it decides between the
   * two when both came in the same millisecond); absent: compare lastFailMs and lastBeatMs.
   */
  failed?: boolean;
  lastMessage?: LastMessage;
}

/** CheckStatus is a check's state at one time, with the times it was computed from. */
export interface CheckStatus {
  readonly state: HeartbeatState;
  /**
   * expectedMs is when the next beat is expected: the schedule's next time after the last beat
   * (or failure, or, for a new check, after firstSeenMs); undefined when the cron expression
   * has no further time.
   */
  readonly expectedMs: number | undefined;
  /**
   * deadlineMs is when the check goes down without a beat: expectedMs + grace, or sooner when
   * a start was reported (start + grace).
   */
  readonly deadlineMs: number | undefined;
  /** started reports a start after the last success or failure: the job is running. */
  readonly started: boolean;
}

/**
 * CompiledCheck is a check's configuration with its schedule ready to compute times. Compile
 * once per configuration: compiling a cron expression is not free.
 */
export class CompiledCheck {
  readonly cfg: HeartbeatCheckConfig;
  readonly #cron: Cron | undefined;

  constructor(cfg: HeartbeatCheckConfig) {
    this.cfg = cfg;
    if (cfg.schedule.kind === "cron")
      this.#cron = newCron(cfg.schedule.cron, cfg.schedule.timezone);
  }

  get name(): string {
    return this.cfg.name;
  }

  /**
   * nextExpectedMs is the next time a beat is due after afterMs (exclusive): afterMs + period,
   * or the cron expression's next time in its time zone. Around DST changes croner's rules
   * apply: a time that does not exist runs at the first time after the gap, and a time that
   * occurs twice runs once, at its first occurrence.
   */
  nextExpectedMs(afterMs: number): number | undefined {
    const s = this.cfg.schedule;
    if (s.kind === "period") return afterMs + s.periodMs;
    return this.#cron?.nextRun(new Date(afterMs))?.getTime();
  }

  /**
   * status computes the check's state at nowMs from what it has received.
   *
   * A check that has never beaten is "new" until its first deadline, counted from when Vigil
   * first had it in its configuration (record.firstSeenMs), and then goes down and alerts like
   * any other: a job that never runs is what a dead man's switch is for. (healthchecks.io keeps
   * such checks "new" forever; Vigil does not, since its checks are declared in configuration,
   * not created by the job's first ping.)
   *
   * An explicit failure wins until the next success: the check is "failed" even though more
   * time passes, and a start does not clear it. After a start, the job must finish within the
   * grace time (healthchecks.io's start semantics).
   */
  status(rec: CheckRecord, nowMs: number): CheckStatus {
    const lastBeat = rec.lastBeatMs;
    const lastFail = rec.lastFailMs;
    const failed =
      rec.failed ?? (lastFail !== undefined && (lastBeat === undefined || lastFail > lastBeat));
    const lastEnd = failed ? lastFail : lastBeat;
    const started =
      rec.lastStartMs !== undefined && (lastEnd === undefined || rec.lastStartMs > lastEnd);
    const expectedMs = this.nextExpectedMs(lastEnd ?? rec.firstSeenMs);
    let deadlineMs = expectedMs === undefined ? undefined : expectedMs + this.cfg.graceMs;
    if (started) {
      const runDeadline = rec.lastStartMs! + this.cfg.graceMs;
      deadlineMs = deadlineMs === undefined ? runDeadline : Math.min(deadlineMs, runDeadline);
    }
    let state: HeartbeatState;
    if (failed) state = "failed";
    else if (deadlineMs !== undefined && nowMs >= deadlineMs) state = "down";
    else if (lastBeat === undefined) state = "new";
    else if (expectedMs !== undefined && nowMs >= expectedMs) state = "late";
    else state = "up";
    return { state, expectedMs, deadlineMs, started };
  }
}
