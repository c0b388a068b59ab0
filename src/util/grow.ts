// One way to grow a typed array and keep its contents (storage columns, scrape cache arrays).

type Column = Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;

/** grown returns a copy of `a` with `cap` elements, the new ones set to `fill`. */
export function grown<T extends Column>(a: T, cap: number, fill = 0): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
