// Time as the rule engine sees it. Evaluation slots, `for` durations, resend delays and the
// restore of alert state all read the clock through this seam, so that tests (and `vigil test
// rules`) can drive simulated time instead of waiting.

/**
 * Clock tells the time and waits. `nowMs` is Unix time in milliseconds. `sleep` resolves once
 * the clock has reached `untilMs` (at once when it already has), or when `signal` aborts,
 * whichever comes first; it never rejects.
 */
export interface Clock {
  nowMs(): number;
  sleep(untilMs: number, signal?: AbortSignal): Promise<void>;
}

/** systemClock is the wall clock. */
export const systemClock: Clock = {
  nowMs: () => Date.now(),
  sleep: (untilMs, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, untilMs - Date.now()));
      signal?.addEventListener("abort", done, { once: true });
    }),
};

interface Sleeper {
  untilMs: number;
  resolve: () => void;
}

/**
 * ManualClock is a Clock that moves only when told to, for tests. `advance` and `set` wake the
 * sleepers whose time has come, in time order, and let their continuations run before
 * returning.
 */
export class ManualClock implements Clock {
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  nowMs(): number {
    return this.#now;
  }

  sleep(untilMs: number, signal?: AbortSignal): Promise<void> {
    if (untilMs <= this.#now || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const s: Sleeper = {
        untilMs,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((x) => x !== s);
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#sleepers.push(s);
    });
  }

  /** pendingSleepers is the number of sleeps not yet woken (tests wait for loops to park). */
  get pendingSleepers(): number {
    return this.#sleepers.length;
  }

  /**
   * set moves the clock to tMs (never backwards), waking sleepers one time step at a time: the
   * clock stops at each sleeper's wake-up time, so that code woken there sees that time.
   */
  async set(tMs: number): Promise<void> {
    for (;;) {
      await settle();
      const due = this.#sleepers
        .filter((s) => s.untilMs <= tMs)
        .sort((a, b) => a.untilMs - b.untilMs);
      const first = due[0];
      if (!first) break;
      this.#now = Math.max(this.#now, first.untilMs);
      const wake = due.filter((s) => s.untilMs === first.untilMs);
      this.#sleepers = this.#sleepers.filter((s) => !wake.includes(s));
      for (const s of wake) s.resolve();
    }
    this.#now = Math.max(this.#now, tMs);
    await settle();
  }

  /** advance moves the clock forward by ms; see set. */
  advance(ms: number): Promise<void> {
    return this.set(this.#now + ms);
  }
}

/**
 * settle lets pending promise continuations and I/O callbacks run. Rule evaluation awaits
 * storage and queries, which may take several turns of the event loop.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}
