// Line bloom filters of open blocks, built from the lines of a head's line column: in this
// thread (InlineFilters), or in a worker thread (WorkerFilters) so that the n-gram loop, the
// largest single cost of log ingest, runs beside the thread that decodes and appends pushes.
//
// A head asks for a filter when a block opens, hands over each run of its line column that
// belongs to the block once those bytes are written (they never change after), and takes the
// filter back when the block closes. The worker reads the column in place when its buffer is a
// SharedArrayBuffer (the head's pool makes them so) and a copy otherwise.
import { Worker } from "node:worker_threads";
import { foldBloom } from "../logs-bloom.ts";
import type { NgramMemory } from "./ngrams.ts";
import { ngramMemory } from "./ngrams.ts";

/** Filters builds the filters of open blocks. */
export interface Filters {
  /** open returns the id of a new zeroed filter of `bytes` bytes (a power of two). */
  open(bytes: number): number;
  /**
   * hashColumn sets, in filter `id` (of 2^(32 - shift) bits), the bits of every line of the
   * Native String column bytes col[from, to) (each line a varint length, then its bytes).
   */
  hashColumn(col: Uint8Array, from: number, to: number, id: number, shift: number): void;
  /** close frees filter `id` and returns its bytes folded by `levels` (foldBloom). */
  close(id: number, levels: number): Uint8Array | Promise<Uint8Array>;
}

/** FilterSlots holds filters by id in an NgramMemory: the work of both kinds of Filters. */
export class FilterSlots {
  private readonly slots = new Map<number, { off: number; bytes: number }>();

  constructor(private readonly mem: NgramMemory) {}

  open(id: number, bytes: number): void {
    this.slots.set(id, { off: this.mem.alloc(bytes), bytes });
  }

  hashColumn(col: Uint8Array, from: number, to: number, id: number, shift: number): void {
    const s = this.slots.get(id);
    if (s) this.mem.hashColumn(col, from, to, s.off, shift);
  }

  close(id: number, levels: number): Uint8Array {
    const s = this.slots.get(id)!;
    this.slots.delete(id);
    const bloom = this.mem.take(s.off, s.bytes);
    return levels > 0 ? foldBloom(bloom, levels) : bloom;
  }
}

/** InlineFilters builds filters in this thread, in the process's NgramMemory. */
export class InlineFilters implements Filters {
  private readonly slots: FilterSlots;
  private ids = 0;

  constructor(mem: NgramMemory = ngramMemory()) {
    this.slots = new FilterSlots(mem);
  }

  open(bytes: number): number {
    const id = ++this.ids;
    this.slots.open(id, bytes);
    return id;
  }

  hashColumn(col: Uint8Array, from: number, to: number, id: number, shift: number): void {
    this.slots.hashColumn(col, from, to, id, shift);
  }

  close(id: number, levels: number): Uint8Array {
    return this.slots.close(id, levels);
  }
}

/**
 * Task is one request to the worker: ["o", id, bytes] opens a filter, ["h", col, from, to, id,
 * shift] hashes a run of a column, ["c", id, levels] closes a filter (answered [id, bytes]).
 */
export type Task =
  | readonly ["o", number, number]
  | readonly ["h", Uint8Array, number, number, number, number]
  | readonly ["c", number, number];

/** Answer is a closed filter: its id and bytes. */
export type Answer = [number, Uint8Array];

/** runTasks is the worker's side: it runs a batch of tasks and returns the answers. */
export function runTasks(slots: FilterSlots, tasks: readonly Task[]): Answer[] {
  const out: Answer[] = [];
  for (const t of tasks) {
    if (t[0] === "o") slots.open(t[1], t[2]);
    else if (t[0] === "h") slots.hashColumn(t[1], t[2], t[3], t[4], t[5]);
    else out.push([t[1], slots.close(t[1], t[2])]);
  }
  return out;
}

/** allOnes returns the filter that matches every needle, for `bytes` bytes folded by levels. */
function allOnes(bytes: number, levels: number): Uint8Array {
  return new Uint8Array(Math.max(1, bytes >>> levels)).fill(0xff);
}

/**
 * WorkerFilters builds filters in a worker thread. Requests are sent in one message per turn
 * of the event loop. Should the worker die, the filters it held are answered with all bits set
 * (they match every needle: queries stay correct, only slower), and a new worker serves the
 * filters opened after.
 */
export class WorkerFilters implements Filters {
  private worker: Worker | undefined;
  /** gen counts workers started: a filter belongs to the worker of its generation. */
  private gen = 0;
  private ids = 0;
  private readonly open_ = new Map<number, { bytes: number; gen: number }>();
  private readonly waiting = new Map<
    number,
    { bytes: number; levels: number; resolve: (b: Uint8Array) => void }
  >();
  private tasks: Task[] = [];
  private transfer: ArrayBuffer[] = [];

  constructor(private readonly onError: (err: Error) => void = () => {}) {}

  private start(): Worker {
    const w = new Worker(new URL("./filters-worker.mjs", import.meta.url));
    const gen = ++this.gen;
    w.on("message", (msgs: Answer[]) => {
      for (const [id, bloom] of msgs) {
        const p = this.waiting.get(id);
        this.waiting.delete(id);
        p?.resolve(bloom);
      }
      if (this.waiting.size === 0) w.unref();
    });
    let dead = false;
    const failed = (err: Error): void => {
      if (dead) return;
      dead = true;
      if (this.gen === gen) this.worker = undefined;
      this.onError(err);
      for (const [id, p] of this.waiting) {
        this.waiting.delete(id);
        p.resolve(allOnes(p.bytes, p.levels));
      }
    };
    w.on("error", failed);
    w.on("exit", (code) => failed(new Error(`line filter worker exited with code ${code}`)));
    // The worker keeps the process alive only while a filter is awaited (post refs it).
    w.unref();
    return w;
  }

  private send(t: Task): void {
    if (this.tasks.length === 0) queueMicrotask(() => this.post());
    this.tasks.push(t);
  }

  private post(): void {
    const tasks = this.tasks;
    const transfer = this.transfer;
    this.tasks = [];
    this.transfer = [];
    if (tasks.length === 0) return;
    this.worker ??= this.start();
    if (this.waiting.size > 0) this.worker.ref();
    this.worker.postMessage(tasks, transfer);
  }

  /** nextGen: the generation of the worker the next message goes to (started for it if none). */
  private get nextGen(): number {
    return this.worker ? this.gen : this.gen + 1;
  }

  open(bytes: number): number {
    const id = ++this.ids;
    this.open_.set(id, { bytes, gen: this.nextGen });
    this.send(["o", id, bytes]);
    return id;
  }

  hashColumn(col: Uint8Array, from: number, to: number, id: number, shift: number): void {
    if (to <= from) return;
    if (col.buffer instanceof SharedArrayBuffer) {
      this.send(["h", col, from, to, id, shift]);
      return;
    }
    const copy = new Uint8Array(to - from);
    copy.set(col.subarray(from, to));
    this.transfer.push(copy.buffer);
    this.send(["h", copy, 0, copy.length, id, shift]);
  }

  close(id: number, levels: number): Promise<Uint8Array> {
    const f = this.open_.get(id)!;
    this.open_.delete(id);
    if (f.gen !== this.nextGen) return Promise.resolve(allOnes(f.bytes, levels));
    return new Promise((resolve) => {
      this.waiting.set(id, { bytes: f.bytes, levels, resolve });
      this.send(["c", id, levels]);
    });
  }

  /** stop ends the worker (filters still open are answered as if it had died). */
  async stop(): Promise<void> {
    const w = this.worker;
    if (w) await w.terminate();
  }
}

let shared: WorkerFilters | undefined;

/** workerFilters returns the process's WorkerFilters (one worker serves every store). */
export function workerFilters(): WorkerFilters {
  return (shared ??= new WorkerFilters((err) =>
    process.emitWarning(
      `line bloom worker failed (${err.message}); blocks it held match every line filter`,
    ),
  ));
}
