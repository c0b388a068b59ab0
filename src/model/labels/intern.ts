// Sharing of label pairs between label sets. Most pairs repeat across series (job, instance,
// metric names, le, method, code...): a process holding 100k series otherwise keeps a separate
// pair object and name and value strings for every label of every series, which the garbage
// collector has to visit on every major collection.
import type { Label, Labels } from "./labels.ts";

/**
 * LabelInterner hands out one shared Label object per (name, value) pair it has seen recently.
 * It is bounded: two generations of at most `capacity` pairs each; a pair found in the older
 * one moves to the newer one, and when the newer one is full the older one is dropped. A
 * dropped pair's objects stay valid in the label sets that hold them (sharing simply stops).
 * The strings it keeps are copies, so a pair never holds on to the (large) text it was sliced
 * from.
 */
export class LabelInterner {
  private cur = new Map<string, Label>();
  private old = new Map<string, Label>();

  constructor(private readonly capacity = 1 << 16) {}

  /** label returns the shared pair equal to (name, value). */
  label(name: string, value: string): Label {
    const key = name + "\xff" + value;
    let l = this.cur.get(key);
    if (l !== undefined) return l;
    l = this.old.get(key);
    if (l === undefined) l = { name: detachString(name), value: detachString(value) };
    if (this.cur.size >= this.capacity) {
      this.old = this.cur;
      this.cur = new Map();
    }
    this.cur.set(detachString(key), l);
    return l;
  }

  /** labels returns ls with every pair replaced by its shared copy (ls is sorted already). */
  labels(ls: Labels): Labels {
    const out = new Array<Label>(ls.length);
    for (let i = 0; i < ls.length; i++) out[i] = this.label(ls[i]!.name, ls[i]!.value);
    return out;
  }

  /** size is the number of pairs held (both generations). */
  get size(): number {
    return this.cur.size + this.old.size;
  }
}

/**
 * detachString returns a flat copy of s: a string sliced out of a scrape body keeps the whole body
 * alive, and one built with `+` is a tree of pieces.
 */
export function detachString(s: string): string {
  // UTF-16 both ways: a copy of every code unit, whatever the string holds.
  return s.length === 0 ? "" : Buffer.from(s, "utf16le").toString("utf16le");
}
