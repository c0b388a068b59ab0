// The line filter worker (filters.ts WorkerFilters): it builds the filters of open blocks in
// its own n-gram module, and answers each batch's closed filters in one message.
import { parentPort } from "node:worker_threads";
import type { Task } from "./filters.ts";
import { runTasks } from "./filters.ts";
import { NgramMemory } from "./ngrams.ts";

const mem = new NgramMemory();
const slots = new Map<number, { off: number; bytes: number }>();
const port = parentPort!;
port.on("message", (tasks: Task[]) => {
  const out = runTasks(mem, slots, tasks);
  if (out.length > 0) {
    port.postMessage(
      out,
      out.map((o) => o[2].buffer as ArrayBuffer),
    );
  }
});
