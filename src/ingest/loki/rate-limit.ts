// Token buckets with the semantics of golang.org/x/time/rate, which Loki's ingestion and
// per-stream rate limits use: a bucket holds up to `burst` tokens (bytes), starts full and
// refills at `rate` per second; a request for n tokens is allowed only when n tokens are there
// now, and a refused request takes none.

/** TokenBucket is one rate limiter. Times are milliseconds. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private rate: number,
    private burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /** setLimits changes rate and burst, keeping the tokens the bucket holds (capped at burst). */
  setLimits(rate: number, burst: number): void {
    this.rate = rate;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  private advance(nowMs: number): void {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) / 1000) * this.rate);
      this.lastMs = nowMs;
    }
  }

  /** allow takes n tokens when the bucket holds them and reports whether it did. */
  allow(nowMs: number, n: number): boolean {
    this.advance(nowMs);
    if (n > this.burst || n > this.tokens) return false;
    this.tokens -= n;
    return true;
  }

  /** full reports whether the bucket has refilled to its burst (an idle bucket can be forgotten). */
  full(nowMs: number): boolean {
    this.advance(nowMs);
    return this.tokens >= this.burst;
  }
}

/** SWEEP_INTERVAL_MS is how often StreamRateLimiters forgets buckets of idle streams. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * StreamRateLimiters keeps one bucket per stream, like Loki's per-stream limiter in the
 * ingester. A bucket that has refilled completely behaves as a new one, so it is dropped.
 */
export class StreamRateLimiters {
  private readonly buckets = new Map<string, TokenBucket>();
  private lastSweepMs = 0;

  /**
   * allow takes n bytes from the bucket of stream `key` with the given limits. A rate of 0
   * disables the limit.
   */
  allow(key: string, nowMs: number, n: number, rate: number, burst: number): boolean {
    if (rate <= 0) return true;
    if (nowMs - this.lastSweepMs >= SWEEP_INTERVAL_MS) this.sweep(nowMs);
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(rate, burst, nowMs);
      this.buckets.set(key, b);
    } else {
      b.setLimits(rate, burst);
    }
    return b.allow(nowMs, n);
  }

  /** size is the number of streams with a bucket (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(nowMs: number): void {
    this.lastSweepMs = nowMs;
    for (const [k, b] of this.buckets) if (b.full(nowMs)) this.buckets.delete(k);
  }
}
