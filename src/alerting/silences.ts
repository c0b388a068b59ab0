// Silences (silence/silence.go, v0.33): creation, update-in-place or replacement, expiry,
// states pending/active/expired, garbage collection after the retention, and muting of alerts
// whose labels match an active silence. Silences are kept in a snapshot file written before a
// change is acknowledged.
import { randomUUID } from "node:crypto";
import { AmMatcher, isValidLabelName } from "./matchers.ts";
import type { LabelSet, MatchType } from "./matchers.ts";
import type { SnapshotFile } from "../util/state-file.ts";
import { DEFAULT_RETENTION_MS } from "./nflog.ts";

/** SilenceMatcher is one matcher of a silence. */
export interface SilenceMatcher {
  readonly name: string;
  readonly value: string;
  readonly type: MatchType;
}

/** Silence is a stored silence. Times are Unix milliseconds. */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly SilenceMatcher[];
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly updatedAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
  readonly annotations: Readonly<Record<string, string>>;
}

/** SilenceInput is what a client sets: id empty for a new silence; startsAtMs 0 for "now". */
export type SilenceInput = Omit<Silence, "updatedAtMs" | "id"> & { id: string };

/** SilenceState is a silence's state at a time. */
export type SilenceState = "expired" | "active" | "pending";

/** silenceState is getState: pending before start, expired after end, else active. */
export function silenceState(
  s: Pick<Silence, "startsAtMs" | "endsAtMs">,
  nowMs: number,
): SilenceState {
  if (nowMs < s.startsAtMs) return "pending";
  if (nowMs > s.endsAtMs) return "expired";
  return "active";
}

/** SilenceNotFoundError is silence.ErrNotFound. */
export class SilenceNotFoundError extends Error {
  override readonly name = "SilenceNotFoundError";
  constructor() {
    super("silence not found");
  }
}

/** SilenceValidationError is an invalid silence (Set's "invalid silence: ..."). */
export class SilenceValidationError extends Error {
  override readonly name = "SilenceValidationError";
}

function compile(s: Silence): AmMatcher[] {
  return s.matchers.map((m) => new AmMatcher(m.type, m.name, m.value));
}

function matchesEmpty(m: SilenceMatcher): boolean {
  if (m.type === "=") return m.value === "";
  if (m.type === "=~") return new AmMatcher("=~", m.name, m.value).matches("");
  return false;
}

/** validateSilence is silence.validateSilence for one matcher set. */
export function validateSilence(s: Pick<Silence, "matchers" | "startsAtMs" | "endsAtMs">): void {
  if (s.matchers.length === 0)
    throw new SilenceValidationError("at least one matcher set required");
  let allMatchEmpty = true;
  s.matchers.forEach((m, i) => {
    const bad = (why: string): never => {
      throw new SilenceValidationError(`invalid label matcher ${i} in set 0: ${why}`);
    };
    if (!isValidLabelName(m.name)) bad(`invalid label name ${JSON.stringify(m.name)}`);
    if (m.type === "=" || m.type === "!=") {
      if (/\p{Surrogate}/u.test(m.value)) bad(`invalid label value ${JSON.stringify(m.value)}`);
    } else {
      try {
        new AmMatcher(m.type, m.name, m.value);
      } catch (err) {
        bad(`invalid regular expression ${JSON.stringify(m.value)}: ${(err as Error).message}`);
      }
    }
    allMatchEmpty = allMatchEmpty && matchesEmpty(m);
  });
  if (allMatchEmpty) {
    throw new SilenceValidationError(
      "matcher set 0: at least one matcher must not match the empty string",
    );
  }
  if (s.startsAtMs === 0) throw new SilenceValidationError("invalid zero start timestamp");
  if (s.endsAtMs === 0) throw new SilenceValidationError("invalid zero end timestamp");
  if (s.endsAtMs < s.startsAtMs)
    throw new SilenceValidationError("end time must not be before start time");
}

function sameMatchers(a: readonly SilenceMatcher[], b: readonly SilenceMatcher[]): boolean {
  return (
    a.length === b.length &&
    a.every((m, i) => m.name === b[i].name && m.value === b[i].value && m.type === b[i].type)
  );
}

/** canUpdate says whether b may replace a in place (silence.canUpdate). */
function canUpdate(a: Silence, b: SilenceInput, now: number): boolean {
  if (!sameMatchers(a.matchers, b.matchers)) return false;
  switch (silenceState(a, now)) {
    case "active":
      if (Math.floor(a.startsAtMs / 1000) !== Math.floor(b.startsAtMs / 1000)) return false;
      if (b.endsAtMs < now) return false;
      return true;
    case "pending":
      return b.startsAtMs >= now;
    case "expired":
      return false;
  }
}

/** Silences stores silences; see the file comment. */
export class Silences {
  private readonly st = new Map<string, { sil: Silence; matchers: AmMatcher[] }>();
  private file: SnapshotFile | undefined;
  /** version increases with every change, for caches. */
  version = 0;

  constructor(
    private readonly now: () => number,
    readonly retentionMs = DEFAULT_RETENTION_MS,
  ) {}

  /** attach makes the silences durable in file, loading what it holds. */
  attach(file: SnapshotFile): void {
    this.file = file;
    const doc = file.load() as { silences?: Silence[] } | undefined;
    for (const s of doc?.silences ?? []) {
      try {
        this.st.set(s.id, { sil: s, matchers: compile(s) });
      } catch {
        // A silence whose matchers no longer compile is dropped.
      }
    }
    this.version++;
    this.gc();
  }

  snapshot(): { silences: Silence[] } {
    return { silences: [...this.st.values()].map((e) => e.sil) };
  }

  private put(sil: Silence): void {
    this.st.set(sil.id, { sil, matchers: compile(sil) });
    this.version++;
  }

  /**
   * set creates or updates a silence and returns its id, once durable (Silences.Set). An
   * update of matchers or of an active silence's start creates a new silence and expires the
   * old one. Throws SilenceValidationError or SilenceNotFoundError.
   */
  async set(input: SilenceInput): Promise<string> {
    const now = this.now();
    let sil: SilenceInput = input.startsAtMs === 0 ? { ...input, startsAtMs: now } : input;
    try {
      validateSilence(sil);
    } catch (err) {
      throw new SilenceValidationError(`invalid silence: ${(err as Error).message}`);
    }
    const prev = this.st.get(sil.id)?.sil;
    if (sil.id !== "" && prev === undefined) throw new SilenceNotFoundError();
    if (prev !== undefined && canUpdate(prev, sil, now)) {
      this.put({ ...sil, updatedAtMs: now });
      await this.file?.save();
      return sil.id;
    }
    sil = { ...sil, id: randomUUID() };
    if (sil.startsAtMs < now) sil = { ...sil, startsAtMs: now };
    if (prev !== undefined && silenceState(prev, now) !== "expired") this.expireNow(prev, now);
    this.put({ ...sil, updatedAtMs: now });
    await this.file?.save();
    return sil.id;
  }

  private expireNow(sil: Silence, now: number): void {
    switch (silenceState(sil, now)) {
      case "expired":
        return;
      case "active":
        this.put({ ...sil, endsAtMs: now, updatedAtMs: now });
        return;
      case "pending":
        this.put({ ...sil, startsAtMs: now, endsAtMs: now, updatedAtMs: now });
        return;
    }
  }

  /** expire ends a silence now (Expire); expired ones stay as they are. */
  async expire(id: string): Promise<void> {
    const e = this.st.get(id);
    if (e === undefined) throw new SilenceNotFoundError();
    this.expireNow(e.sil, this.now());
    await this.file?.save();
  }

  /** get returns a silence by id. */
  get(id: string): Silence | undefined {
    return this.st.get(id)?.sil;
  }

  /** list returns all stored silences (expired ones until they are collected). */
  list(): Silence[] {
    return [...this.st.values()].map((e) => e.sil);
  }

  /**
   * mutes returns the ids of the active silences matching the labels, and of the pending ones
   * (Silencer.Mutes computes both; only active ones mute).
   */
  matching(ls: LabelSet): { active: string[]; pending: string[] } {
    const now = this.now();
    const active: string[] = [];
    const pending: string[] = [];
    for (const { sil, matchers } of this.st.values()) {
      const state = silenceState(sil, now);
      if (state === "expired") continue;
      if (!matchers.every((m) => m.matchesLabels(ls))) continue;
      (state === "active" ? active : pending).push(sil.id);
    }
    return { active, pending };
  }

  /** gc drops silences expired longer than the retention (GC) and returns how many. */
  gc(): number {
    const now = this.now();
    let n = 0;
    for (const [id, { sil }] of this.st) {
      if (sil.endsAtMs + this.retentionMs <= now) {
        this.st.delete(id);
        n++;
      }
    }
    if (n > 0) {
      this.version++;
      void this.file?.save().catch(() => undefined);
    }
    return n;
  }

  /** countState counts silences by state, for metrics. */
  countState(state: SilenceState): number {
    const now = this.now();
    let n = 0;
    for (const { sil } of this.st.values()) if (silenceState(sil, now) === state) n++;
    return n;
  }
}
