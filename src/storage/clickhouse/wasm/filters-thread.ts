// The line filter worker (filters.ts WorkerFilters): it builds the filters of open blocks in
// its own n-gram module, and answers each batch's closed filters in one message.
import { parentPort } from "node:worker_threads";
import type { Task } from "./filters.ts";
import { FilterSlots, runTasks } from "./filters.ts";
import { NgramMemory } from "./ngrams.ts";

const slots = new FilterSlots(new NgramMemory());
const port = parentPort!;
port.on("message", (tasks: Task[]) => {
  const out = runTasks(slots, tasks);
  if (out.length > 0) {
    port.postMessage(
      out,
      out.map((o) => o[1].buffer as ArrayBuffer),
    );
  }
});
