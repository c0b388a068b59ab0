// Go's unstable sort (pattern-defeating quicksort), after the Go 1.24+ standard library
// (sort/zsortinterface.go and slices/zsortanyfunc.go, generated from the same template, with
// the xorshift fixed in go.dev/issue/70144).
//
// Prometheus sorts with sort.Sort and slices.SortFunc, which are not stable, and several of its
// comparators are not strict weak orders (NaN handling in sort(), natsort's treatment of
// empty or equal-looking strings in sort_by_label(), NaN bucket bounds in histogram_quantile()).
// The order such sorts produce depends on the exact algorithm, so we reproduce it instead of
// relying on Array.prototype.sort.

/** Less reports whether a must sort before b. */
export type Less<T> = (a: T, b: T) => boolean;

const MAX_INSERTION = 12;
const SHORTEST_NINTHER = 50;
const MAX_SWAPS = 4 * 3;
const MAX_STEPS = 5;
const SHORTEST_SHIFTING = 50;

const HINT_UNKNOWN = 0;
const HINT_INCREASING = 1;
const HINT_DECREASING = 2;
type Hint = typeof HINT_UNKNOWN | typeof HINT_INCREASING | typeof HINT_DECREASING;

/** bitsLen is Go's bits.Len for a non-negative integer: the number of bits needed for n. */
function bitsLen(n: number): number {
  return n === 0 ? 0 : 32 - Math.clz32(n);
}

/**
 * goSort sorts data in place exactly as Go's sort.Sort / slices.SortFunc do, given the same
 * comparison: for slices.SortFunc(x, cmp) pass `(a, b) => cmp(a, b) < 0`; for sort.Sort(data)
 * pass data.Less on elements.
 */
export function goSort<T>(data: T[], less: Less<T>): void {
  const n = data.length;
  if (n <= 1) return;
  pdqsort(data, 0, n, bitsLen(n), less);
}

/**
 * goSearch is Go's sort.Search: the smallest index i in [0, n) at which f(i) is true, assuming
 * f is false then true; n when there is none. The bisection matches Go's for non-monotonic f.
 */
export function goSearch(n: number, f: (i: number) => boolean): number {
  let i = 0;
  let j = n;
  while (i < j) {
    const h = Math.floor((i + j) / 2);
    if (!f(h)) i = h + 1;
    else j = h;
  }
  return i;
}

function swap<T>(data: T[], i: number, j: number): void {
  const t = data[i]!;
  data[i] = data[j]!;
  data[j] = t;
}

function insertionSort<T>(data: T[], a: number, b: number, less: Less<T>): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && less(data[j]!, data[j - 1]!); j--) swap(data, j, j - 1);
  }
}

function siftDown<T>(data: T[], lo: number, hi: number, first: number, less: Less<T>): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && less(data[first + child]!, data[first + child + 1]!)) child++;
    if (!less(data[first + root]!, data[first + child]!)) return;
    swap(data, first + root, first + child);
    root = child;
  }
}

function heapSort<T>(data: T[], a: number, b: number, less: Less<T>): void {
  const first = a;
  const lo = 0;
  const hi = b - a;
  for (let i = Math.floor((hi - 1) / 2); i >= 0; i--) siftDown(data, i, hi, first, less);
  for (let i = hi - 1; i >= 0; i--) {
    swap(data, first, first + i);
    siftDown(data, lo, i, first, less);
  }
}

function pdqsort<T>(data: T[], a: number, b: number, limit: number, less: Less<T>): void {
  let wasBalanced = true;
  let wasPartitioned = true;
  for (;;) {
    const length = b - a;
    if (length <= MAX_INSERTION) {
      insertionSort(data, a, b, less);
      return;
    }
    if (limit === 0) {
      heapSort(data, a, b, less);
      return;
    }
    if (!wasBalanced) {
      breakPatterns(data, a, b);
      limit--;
    }
    let [pivot, hint] = choosePivot(data, a, b, less);
    if (hint === HINT_DECREASING) {
      reverseRange(data, a, b);
      pivot = b - 1 - (pivot - a);
      hint = HINT_INCREASING;
    }
    if (wasBalanced && wasPartitioned && hint === HINT_INCREASING) {
      if (partialInsertionSort(data, a, b, less)) return;
    }
    if (a > 0 && !less(data[a - 1]!, data[pivot]!)) {
      a = partitionEqual(data, a, b, pivot, less);
      continue;
    }
    const [mid, alreadyPartitioned] = partition(data, a, b, pivot, less);
    wasPartitioned = alreadyPartitioned;
    const leftLen = mid - a;
    const rightLen = b - mid;
    const balanceThreshold = Math.floor(length / 8);
    if (leftLen < rightLen) {
      wasBalanced = leftLen >= balanceThreshold;
      pdqsort(data, a, mid, limit, less);
      a = mid + 1;
    } else {
      wasBalanced = rightLen >= balanceThreshold;
      pdqsort(data, mid + 1, b, limit, less);
      b = mid;
    }
  }
}

function partition<T>(
  data: T[],
  a: number,
  b: number,
  pivot: number,
  less: Less<T>,
): [number, boolean] {
  swap(data, a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && less(data[i]!, data[a]!)) i++;
  while (i <= j && !less(data[j]!, data[a]!)) j--;
  if (i > j) {
    swap(data, j, a);
    return [j, true];
  }
  swap(data, i, j);
  i++;
  j--;
  for (;;) {
    while (i <= j && less(data[i]!, data[a]!)) i++;
    while (i <= j && !less(data[j]!, data[a]!)) j--;
    if (i > j) break;
    swap(data, i, j);
    i++;
    j--;
  }
  swap(data, j, a);
  return [j, false];
}

function partitionEqual<T>(data: T[], a: number, b: number, pivot: number, less: Less<T>): number {
  swap(data, a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !less(data[a]!, data[i]!)) i++;
    while (i <= j && less(data[a]!, data[j]!)) j--;
    if (i > j) break;
    swap(data, i, j);
    i++;
    j--;
  }
  return i;
}

function partialInsertionSort<T>(data: T[], a: number, b: number, less: Less<T>): boolean {
  let i = a + 1;
  for (let step = 0; step < MAX_STEPS; step++) {
    while (i < b && !less(data[i]!, data[i - 1]!)) i++;
    if (i === b) return true;
    if (b - a < SHORTEST_SHIFTING) return false;
    swap(data, i, i - 1);
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1; j--) {
        if (!less(data[j]!, data[j - 1]!)) break;
        swap(data, j, j - 1);
      }
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b; j++) {
        if (!less(data[j]!, data[j - 1]!)) break;
        swap(data, j, j - 1);
      }
    }
  }
  return false;
}

const MASK64 = (1n << 64n) - 1n;

function breakPatterns<T>(data: T[], a: number, b: number): void {
  const length = b - a;
  if (length < 8) return;
  let random = BigInt(length);
  const modulus = 2 ** bitsLen(length);
  const mask = BigInt(modulus - 1);
  const center = a + Math.floor(length / 4) * 2;
  for (let idx = center - 1; idx <= center + 1; idx++) {
    random ^= (random << 13n) & MASK64;
    random ^= random >> 7n;
    random ^= (random << 17n) & MASK64;
    let other = Number(random & mask);
    if (other >= length) other -= length;
    swap(data, idx, a + other);
  }
}

function choosePivot<T>(data: T[], a: number, b: number, less: Less<T>): [number, Hint] {
  const l = b - a;
  const swaps = { n: 0 };
  let i = a + Math.floor(l / 4) * 1;
  let j = a + Math.floor(l / 4) * 2;
  let k = a + Math.floor(l / 4) * 3;
  if (l >= 8) {
    if (l >= SHORTEST_NINTHER) {
      i = median(data, i - 1, i, i + 1, swaps, less);
      j = median(data, j - 1, j, j + 1, swaps, less);
      k = median(data, k - 1, k, k + 1, swaps, less);
    }
    j = median(data, i, j, k, swaps, less);
  }
  switch (swaps.n) {
    case 0:
      return [j, HINT_INCREASING];
    case MAX_SWAPS:
      return [j, HINT_DECREASING];
    default:
      return [j, HINT_UNKNOWN];
  }
}

function order2<T>(
  data: T[],
  a: number,
  b: number,
  swaps: { n: number },
  less: Less<T>,
): [number, number] {
  if (less(data[b]!, data[a]!)) {
    swaps.n++;
    return [b, a];
  }
  return [a, b];
}

function median<T>(
  data: T[],
  a: number,
  b: number,
  c: number,
  swaps: { n: number },
  less: Less<T>,
): number {
  [a, b] = order2(data, a, b, swaps, less);
  [b] = order2(data, b, c, swaps, less);
  [, b] = order2(data, a, b, swaps, less);
  return b;
}

function reverseRange<T>(data: T[], a: number, b: number): void {
  let i = a;
  let j = b - 1;
  while (i < j) {
    swap(data, i, j);
    i++;
    j--;
  }
}
